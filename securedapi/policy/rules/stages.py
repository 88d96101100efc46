"""API stages: access logs and throttling (HTTP and REST)."""

from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    PolicyResource,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)

from securedapi.policy.values import (
    HTTP_STAGE,
    REST_API,
    REST_METHOD_SETTINGS,
    REST_STAGE,
    UNKNOWN,
    USAGE_PLAN,
    Graph,
    describe,
    get,
    strings,
    view,
)


def _stage_access_logs(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    kind, props = view(args.resource_type, args.props)
    if kind not in (HTTP_STAGE, REST_STAGE):
        return
    if get(props, "accessLogSettings") is None:
        report_violation(
            f"Stage {args.name!r} writes no access logs, so denied and failed calls leave no trace. "
            "Fix: set accessLogSettings {destinationArn: <log group arn>, format: <JSON format>}.",
            None,
        )


stage_access_logs = ResourceValidationPolicy(
    name="apigw-stage-access-logs",
    description="API Gateway stages should write access logs.",
    enforcement_level=EnforcementLevel.ADVISORY,
    severity=Severity.MEDIUM,
    validate=_stage_access_logs,
    tags=["apigateway", "logging"],
)


Maybe = bool | None
"""A three-valued answer: None when it depends on values unknown during preview."""


def _all(*answers: Maybe) -> Maybe:
    return False if False in answers else None if None in answers else True


def _any(answers: list[Maybe]) -> Maybe:
    return True if True in answers else None if None in answers else False


def _limits(settings: Any, burst: str, rate: str) -> tuple[Maybe, list[str]]:
    """Whether ``settings`` sets both throttling limits (missing or negative, i.e. -1: no limit), and what is wrong."""
    if settings is UNKNOWN:
        return None, []
    problems: list[str] = []
    unknown = False
    for key in (burst, rate):
        value = get(settings, key)
        if value is UNKNOWN:
            unknown = True
        elif value is None:
            problems.append(f"no {key}")
        elif isinstance(value, int | float) and not isinstance(value, bool) and value < 0:
            problems.append(f"{key} {value:g} (no limit)")
    if problems:
        return False, problems
    return (None if unknown else True), []


def _is_stage_api(
    graph: Graph, stage: PolicyResource, value: Any, deps: list[PolicyResource], *, deps_first: bool
) -> Maybe:
    """Whether the REST API id ``value`` (whose property depends on the REST APIs ``deps``) is ``stage``'s API:
    by property dependency (``deps_first``: the property holds this one id only), else by id."""
    api = graph.linked(stage, "restApi", REST_API)
    if deps_first and deps and api is not None:
        return api in deps
    if isinstance(value, str):
        match = graph.with_id(REST_API, value)
        if isinstance(match, PolicyResource) and api is not None:
            return match is api
        own = get(graph.props(stage), "restApi")
        if own is UNKNOWN or (match is UNKNOWN and api is not None):
            return None  # the stage's API id is unknown during preview
        return value == own
    if value is UNKNOWN:
        return api in deps if deps and api is not None else None
    return False


def _is_stage_name(graph: Graph, stage: PolicyResource, value: Any, deps: list[PolicyResource]) -> Maybe:
    """Whether the stage name ``value`` (whose property depends on the REST stages ``deps``) names ``stage``."""
    own = get(graph.props(stage), "stageName")
    if isinstance(value, str) and isinstance(own, str):
        return value == own
    if value is UNKNOWN or own is UNKNOWN:
        return stage in deps if deps else None
    return False


def _method_settings_throttle(graph: Graph, stage: PolicyResource, notes: list[str]) -> Maybe:
    """Whether a MethodSettings for all methods ("*/*") of ``stage`` sets throttling limits."""
    answers: list[Maybe] = []
    for settings in graph.of_type(REST_METHOD_SETTINGS):
        props = graph.props(settings)
        api_deps = graph.dependencies_of(settings, "restApi", REST_API)
        stage_deps = graph.dependencies_of(settings, "stageName", REST_STAGE)
        same = _all(
            _is_stage_api(graph, stage, get(props, "restApi"), api_deps, deps_first=True),
            _is_stage_name(graph, stage, get(props, "stageName"), stage_deps),
        )
        if same is False:
            continue
        path = get(props, "methodPath")
        every = None if path is UNKNOWN else path == "*/*"
        limited, problems = _limits(get(props, "settings"), "throttlingBurstLimit", "throttlingRateLimit")
        answers.append(_all(same, every, limited))
        if same and every is False:
            notes.append(f"MethodSettings {settings.name!r} applies to {path!r} only, not to every method ('*/*').")
        elif same and every and problems:
            notes.append(f"MethodSettings {settings.name!r} for '*/*' has {', '.join(problems)}.")
    return _any(answers)


def _usage_plan_throttle(graph: Graph, stage: PolicyResource, notes: list[str]) -> Maybe:
    """Whether a usage plan that lists ``stage`` in apiStages sets throttleSettings limits."""
    answers: list[Maybe] = []
    for plan in graph.of_type(USAGE_PLAN):
        props = graph.props(plan)
        # Dependencies belong to the whole apiStages list, not to one entry: ids and names decide first.
        api_deps = graph.dependencies_of(plan, "apiStages", REST_API)
        stage_deps = graph.dependencies_of(plan, "apiStages", REST_STAGE)
        entries = get(props, "apiStages")
        same = _any(
            [
                _all(
                    _is_stage_api(graph, stage, get(entry, "apiId"), api_deps, deps_first=False),
                    _is_stage_name(graph, stage, get(entry, "stage"), stage_deps),
                )
                for entry in strings(entries)
            ]
        )
        if same is False:
            continue
        limited, problems = _limits(get(props, "throttleSettings"), "burstLimit", "rateLimit")
        answers.append(_all(same, limited))
        if same and problems:
            notes.append(f"Usage plan {plan.name!r} has {', '.join(problems)} in throttleSettings.")
    return _any(answers)


def _http_stage_problem(graph: Graph, stage: PolicyResource) -> str | None:
    settings = get(graph.props(stage), "defaultRouteSettings")
    if settings is UNKNOWN:
        return None
    missing = [k for k in ("throttlingBurstLimit", "throttlingRateLimit") if get(settings, k) is None]
    if not missing:
        return None
    return (
        f"Stage {stage.name!r} has no {' / '.join(missing)} in defaultRouteSettings, so the account "
        "limits are the only protection against floods. Fix: set defaultRouteSettings "
        "{throttlingBurstLimit, throttlingRateLimit}."
    )


def _rest_stage_problem(graph: Graph, stage: PolicyResource) -> str | None:
    notes: list[str] = []
    if _any([_method_settings_throttle(graph, stage, notes), _usage_plan_throttle(graph, stage, notes)]) is not False:
        return None  # throttled, or unknown during preview
    props = graph.props(stage)
    api = graph.linked(stage, "restApi", REST_API)
    api_name = api.name if api is not None else get(props, "restApi")
    name = get(props, "stageName")
    detail = "".join(f" {note}" for note in notes)
    return (
        f"REST API stage {name!r} ({describe(stage.resource_type, stage.name)}) of API {api_name!r} is not "
        "throttled: no MethodSettings for all methods ('*/*') with throttling limits and no usage plan with "
        f"throttleSettings covers it, so the account limits are the only protection against floods.{detail} "
        "Fix: add aws.apigateway.MethodSettings(rest_api=<api>.id, stage_name=<stage>.stage_name, "
        "method_path='*/*', settings={'throttling_burst_limit': <n>, 'throttling_rate_limit': <n>}) "
        "(-1 means no limit)."
    )


def _stage_throttling(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    graph = Graph(args.resources)
    for stage in graph.of_type(HTTP_STAGE):
        problem = _http_stage_problem(graph, stage)
        if problem:
            report_violation(problem, stage.urn)
    for stage in graph.of_type(REST_STAGE):
        problem = _rest_stage_problem(graph, stage)
        if problem:
            report_violation(problem, stage.urn)


stage_throttling = StackValidationPolicy(
    name="apigw-stage-throttling",
    description="API Gateway stages should be throttled: HTTP API stages by defaultRouteSettings, REST API stages "
    "by MethodSettings for '*/*' or a usage plan with throttle settings.",
    enforcement_level=EnforcementLevel.ADVISORY,
    severity=Severity.MEDIUM,
    validate=_stage_throttling,
    remediation_steps="HTTP API: set the stage's defaultRouteSettings throttlingBurstLimit and throttlingRateLimit. "
    "REST API: add MethodSettings with methodPath '*/*' and settings throttlingBurstLimit/throttlingRateLimit "
    "(not -1), or a usage plan with throttleSettings for the stage.",
    tags=["apigateway", "availability"],
)
