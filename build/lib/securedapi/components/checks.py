"""Small value checks shared by the components' argument validation."""

import pulumi


def is_plain(value: object) -> bool:
    """True when a value is known now (not an Output), so it can be validated before deployment."""
    return not isinstance(value, pulumi.Output)


def in_range(value: object, low: float, high: float, *, integer: bool = True) -> bool:
    """True for a number within ``[low, high]``. With ``integer``, whole-number floats count too:
    numbers arrive as doubles when another Pulumi language calls the component provider."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    if integer and isinstance(value, float) and not value.is_integer():
        return False
    return low <= value <= high
