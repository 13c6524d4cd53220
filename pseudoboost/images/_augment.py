"""Random affine image augmentation in NumPy (shifts, rotations, zoom, shear, cutout).

Done in NumPy/SciPy rather than Keras layers so it is the same on every backend and seeded by
the estimator's own generator.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import ndimage


@dataclass(frozen=True)
class AugmentSpec:
    """Ranges of one augmentation strength.

    Attributes
    ----------
    rotation : float
        Maximum rotation, degrees (uniform in [-rotation, rotation]).
    shift : float
        Maximum translation as a fraction of height/width.
    zoom : float
        Scale drawn uniformly in [1 - zoom, 1 + zoom].
    shear : float
        Maximum shear factor.
    cutout : float
        Side of a square erased at a random place, as a fraction of the image side (0: none).
    """

    rotation: float
    shift: float
    zoom: float
    shear: float
    cutout: float = 0.0


#: "weak": small shifts and rotations (labels never change); "strong": larger affine + cutout.
AUGMENTATIONS: dict[str, AugmentSpec] = {
    "weak": AugmentSpec(rotation=10.0, shift=0.08, zoom=0.08, shear=0.0),
    "strong": AugmentSpec(rotation=20.0, shift=0.12, zoom=0.15, shear=0.25, cutout=0.3),
}


def augment_images(images: np.ndarray, spec: AugmentSpec, rng: np.random.Generator) -> np.ndarray:
    """Apply one random affine transform (and cutout) per image.

    Parameters
    ----------
    images : ndarray of shape (n, height, width, channels)
        Float images; the background is assumed to be 0.
    spec : AugmentSpec
        Ranges of the random transforms.
    rng : numpy.random.Generator
        Source of randomness.

    Returns
    -------
    ndarray of the same shape and dtype
    """
    n, height, width, channels = images.shape
    if n == 0:
        return images.copy()
    angle = np.deg2rad(rng.uniform(-spec.rotation, spec.rotation, n))
    scale = rng.uniform(1 - spec.zoom, 1 + spec.zoom, n)
    shear = rng.uniform(-spec.shear, spec.shear, n)
    shift_r = rng.uniform(-spec.shift, spec.shift, n) * height
    shift_c = rng.uniform(-spec.shift, spec.shift, n) * width
    cos, sin = np.cos(angle) / scale, np.sin(angle) / scale
    # Inverse map from output (r, c) to input coordinates, about the image centre.
    rows, cols = np.meshgrid(np.arange(height), np.arange(width), indexing="ij")
    cr, cc = (height - 1) / 2, (width - 1) / 2
    r0 = rows[None] - cr - shift_r[:, None, None]
    c0 = cols[None] - cc - shift_c[:, None, None]
    c0 = c0 + shear[:, None, None] * r0
    src_r = cos[:, None, None] * r0 - sin[:, None, None] * c0 + cr
    src_c = sin[:, None, None] * r0 + cos[:, None, None] * c0 + cc
    idx = np.broadcast_to(np.arange(n)[:, None, None], src_r.shape)
    out = np.empty_like(images)
    for ch in range(channels):
        out[..., ch] = ndimage.map_coordinates(
            images[..., ch], [idx, src_r, src_c], order=1, mode="constant", cval=0.0
        )
    if spec.cutout > 0:
        side_r = max(1, int(round(spec.cutout * height)))
        side_c = max(1, int(round(spec.cutout * width)))
        top = rng.integers(-side_r // 2, height - side_r // 2, n)
        left = rng.integers(-side_c // 2, width - side_c // 2, n)
        inside = (
            (rows[None] >= top[:, None, None])
            & (rows[None] < top[:, None, None] + side_r)
            & (cols[None] >= left[:, None, None])
            & (cols[None] < left[:, None, None] + side_c)
        )
        out[inside] = 0.0
    return out
