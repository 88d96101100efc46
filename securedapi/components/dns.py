"""Route 53 alias records for a custom domain (the API's or the managed-login domain's).

An alias record points a name at an AWS target (an API Gateway regional domain, a CloudFront
distribution) by the target's DNS name and hosted zone; Route 53 answers with the target's addresses.
One ``A`` and one ``AAAA`` record, so IPv4 and IPv6 clients both resolve the name
(https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/resource-record-sets-choosing-alias-non-alias.html).
"""

import pulumi
import pulumi_aws as aws


def alias_records(
    name: str,
    domain: str,
    target: pulumi.Input[str],
    target_zone_id: pulumi.Input[str],
    hosted_zone_id: pulumi.Input[str],
    parent: pulumi.Resource,
) -> list[aws.route53.Record]:
    """``A`` and ``AAAA`` alias records ``domain -> target`` in ``hosted_zone_id``, children of ``parent``."""
    return [
        aws.route53.Record(
            f"{name}-dns-{kind.lower()}",
            zone_id=hosted_zone_id,
            name=domain,
            type=kind,
            aliases=[{"name": target, "zone_id": target_zone_id, "evaluate_target_health": False}],
            opts=pulumi.ResourceOptions(parent=parent),
        )
        for kind in ("A", "AAAA")
    ]
