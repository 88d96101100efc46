"""Value checks shared by the components' argument validation: what the AWS provider (and the AWS APIs
behind it) would refuse at preview or at ``pulumi up``, checked before any child resource exists."""

import difflib
import re
from collections.abc import Iterable
from functools import cache

import pulumi

LOG_RETENTION_DAYS = (
    1,
    3,
    5,
    7,
    14,
    30,
    60,
    90,
    120,
    150,
    180,
    365,
    400,
    545,
    731,
    1096,
    1827,
    2192,
    2557,
    2922,
    3288,
    3653,
)
"""Retention periods CloudWatch Logs accepts (PutRetentionPolicy ``retentionInDays``; the AWS provider's
``aws_cloudwatch_log_group.retention_in_days`` validation, which also accepts 0 for "never expire")."""

_ARN = re.compile(r"^arn:(aws|aws-cn|aws-us-gov|aws-iso[a-z-]*|aws-eusc):([a-z0-9-]+):([a-z0-9-]*):(\d{12}|):(.+)$")
_ZONE_ID = re.compile(r"^Z[A-Z0-9]{1,31}$")
YAML_BOOLEAN_SPELLINGS = ("y", "yes", "n", "no", "true", "false", "on", "off")
"""Plain YAML 1.1 scalars that parse as booleans: an unquoted ``OFF`` in a stack file arrives as ``false``."""


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


def closest(value: str, choices: Iterable[str]) -> str | None:
    """The choice most like ``value`` (for "did you mean ...?"), or None."""
    matches = difflib.get_close_matches(value, list(choices), n=1, cutoff=0.6)
    return matches[0] if matches else None


def boolean_hint(value: object, choices: Iterable[str]) -> str:
    """A hint when ``value`` is what YAML makes of an unquoted ``OFF``/``ON``/``yes``/``no``: quote it."""
    if not isinstance(value, bool) and not (isinstance(value, str) and value.lower() in ("true", "false")):
        return ""
    words = [c for c in choices if c.lower() in YAML_BOOLEAN_SPELLINGS]
    flag = value if isinstance(value, bool) else value.lower() == "true"
    meant = [w for w in words if (w.lower() in ("y", "yes", "true", "on")) == flag]
    if not meant:
        return ""
    return (
        f" (YAML reads an unquoted {meant[0]} as the boolean {str(flag).lower()}: quote it in the YAML file,"
        f' e.g. "{meant[0]}")'
    )


def retention_problem(value: object) -> str | None:
    """Why CloudWatch Logs would refuse ``value`` as a retention in days, or None (0 means never expire)."""
    if in_range(value, 0, 3653) and int(value) in (0, *LOG_RETENTION_DAYS):  # type: ignore[call-overload]
        return None
    allowed = ", ".join(map(str, LOG_RETENTION_DAYS))
    return f"must be one of CloudWatch Logs' retention periods {allowed} (or 0: never expire), got {value!r}"


@cache
def aws_regions() -> frozenset[str]:
    """Every region the AWS provider knows (``pulumi_aws.Region``, the same list botocore's endpoints name)."""
    import pulumi_aws

    return frozenset(region.value for region in pulumi_aws.Region)


def region_problem(region: object) -> str | None:
    """Why ``region`` is not an AWS region name such as ``eu-west-1``, or None."""
    if isinstance(region, str) and region in aws_regions():
        return None
    suggestion = closest(str(region), aws_regions())
    hint = f"; did you mean {suggestion!r}?" if suggestion else " (e.g. 'us-east-1', 'eu-west-1')"
    return f"{region!r} is not an AWS region{hint}"


def configured_region() -> str | None:
    """The stack's ``aws:region`` config (the default provider's region), if set."""
    return pulumi.Config("aws").get("region")


def arn_problem(value: object, service: str, resource: str, *, region: str | None = None) -> str | None:
    """Why ``value`` is not an ARN of ``service`` whose resource part starts with ``resource`` (and, with
    ``region``, lives there), or None. Values unknown until deployment (Outputs) are not judged."""
    if not is_plain(value):
        return None
    match = _ARN.match(value) if isinstance(value, str) else None
    example = f"arn:aws:{service}:{region or '<region>'}:<account>:{resource}..."
    if not match or match.group(2) != service or not match.group(5).startswith(resource) or not match.group(4):
        return f"must be an ARN like {example}, got {value!r}"
    if region is not None and match.group(3) != region:
        return f"must be in {region}, got {value!r} (in {match.group(3) or 'no region'})"
    return None


def zone_id_problem(value: object) -> str | None:
    """Why ``value`` is not a Route 53 hosted zone id (``Z`` and up to 31 capitals or digits), or None."""
    if not is_plain(value) or (isinstance(value, str) and _ZONE_ID.match(value)):
        return None
    return f"must be a Route 53 hosted zone id such as Z0123456789ABCDEFGHIJ, got {value!r}"
