"""The OpenAPI schema tells the truth about errors: every operation documents the JSON error answers
the API can give ({code, message[, errors]}, see core.api.exception_handler), so clients and the
schemathesis run in the test suite can rely on the schema.

Set as REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"]."""
from drf_spectacular.openapi import AutoSchema as BaseAutoSchema
from drf_spectacular.utils import OpenApiResponse

from .api import ErrorSerializer

ERRORS = {
    400: "请求参数有误(逐字段说明见 errors)",
    401: "未提供有效的身份认证令牌(令牌无效、已过期或已撤销)",
    403: "您没有执行该操作的权限",
    404: "未找到该对象,或不在您的管辖范围内(列表页码超出范围也是 404)",
    405: "不支持该请求方法",
    429: "请求过于频繁,请稍后再试",
}


class AutoSchema(BaseAutoSchema):
    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        signed_out = not self.get_auth() or self.get_auth() == [{}]
        for status, text in ERRORS.items():
            if str(status) in responses or (signed_out and status in (401, 403)):
                continue
            responses[str(status)] = self._get_response_for_code(
                OpenApiResponse(ErrorSerializer, description=text), str(status), direction=direction)
        return responses


# Schemas for query parameters, so the schema states the limits the API enforces
RECORD_ID = {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}
DIVISION_CODE_PREFIX = {"type": "string", "pattern": r"^[0-9]{1,12}$"}
# a date the platform can mean (core.params: 1949-10-01 … 2100-12-31), stated as years 1950–2100
DATE = {"type": "string", "format": "date",
        "pattern": r"^(19[5-9][0-9]|20[0-9][0-9]|2100)-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"}
IDLE_MONTHS = {"type": "integer", "minimum": 0, "maximum": 600}
# an indicator period: a year, a quarter or a month (indicators.models.PERIOD_RE)
PERIOD = {"type": "string", "pattern": r"^[0-9]{4}(Q[1-4]|-(0[1-9]|1[0-2]))?$"}
# free text in a query: anything but NUL, which core.middleware refuses for every page and API
NO_NUL = "^[^\\x00]*$"


def blank_means_all(result, generator, request, public):
    """A query parameter left blank means "no filter" everywhere (a form's 全部 option sends `kind=`, an empty date box
    `from=`; core.params reads blank as missing): the schema says so, by listing "" among every string enum of a query
    parameter and allowing an empty string beside every number and date. A required parameter is not blank-able,
    and free text (a string with no enum, pattern or format) says it holds no NUL (core.middleware refuses one)."""
    for path in (result.get("paths") or {}).values():
        for operation in path.values():
            if not isinstance(operation, dict):
                continue
            for parameter in operation.get("parameters", []):
                schema = parameter.get("schema") or {}
                if parameter.get("in") != "query":
                    continue
                if schema.get("type") == "string" and not ({"enum", "pattern", "format"} & schema.keys()):
                    schema["pattern"] = NO_NUL
                elif parameter.get("required"):
                    continue
                elif schema.get("type") == "string" and "enum" in schema and "" not in schema["enum"]:
                    schema["enum"] = [*schema["enum"], ""]
                elif schema.get("type") in ("integer", "number") or schema.get("format") == "date":
                    parameter["schema"] = {"anyOf": [schema, {"type": "string", "maxLength": 0}]}
    return result
