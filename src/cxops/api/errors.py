"""One error format for every error the API returns.

    {"error": {"code": "not_found", "message": "…", "details": [{"loc": [...], "msg": "…", "type": "…"}]}}

`code` is stable and meant for programs; `message` is Korean and meant for people; `details`
lists the offending fields of a validation error (empty otherwise).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, Literal

from django.core.exceptions import PermissionDenied
from django.core.signals import got_request_exception
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError

from cxops.api.schemas import ApiSchema
from cxops.core.services import ServiceError

if TYPE_CHECKING:
    from ninja import NinjaAPI

log = logging.getLogger("django.request")

ErrorCode = Literal[
    "bad_request", "unauthorized", "forbidden", "not_found", "method_not_allowed", "validation_error",
    "rate_limited", "server_error",
]
CODE_FOR_STATUS: dict[int, ErrorCode] = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    422: "validation_error",
    429: "rate_limited",
    500: "server_error",
}
# Statuses every operation may answer with, documented once per operation.
ERROR_STATUSES = (400, 401, 403, 404, 422, 429)

MSG_NOT_FOUND = "찾을 수 없습니다. 주소와 워크스페이스를 확인해 주세요."
MSG_UNAUTHORIZED = "인증이 필요합니다. 'Authorization: Bearer <API 토큰>' 헤더를 보내거나 로그인해 주세요."
MSG_FORBIDDEN = "이 작업을 할 권한이 없습니다."
MSG_VALIDATION = "입력값이 올바르지 않습니다."
MSG_SERVER = "서버 오류가 발생했습니다. 잠시 후 다시 시도하고, 계속되면 관리자에게 알려 주세요."
MSG_BAD_BODY = "요청 본문을 읽을 수 없습니다. 올바른 JSON인지 확인해 주세요."


class ErrorDetail(ApiSchema):
    loc: list[str | int]
    msg: str
    type: str


class ErrorBody(ApiSchema):
    code: ErrorCode
    message: str
    details: list[ErrorDetail] = []


class ErrorOut(ApiSchema):
    error: ErrorBody


def error_responses() -> dict[int, type[ErrorOut]]:
    return dict.fromkeys(ERROR_STATUSES, ErrorOut)


def error_payload(status: int, message: str, details: Iterable[Mapping[str, Any]] = ()) -> dict[str, Any]:
    return {"error": {"code": CODE_FOR_STATUS.get(status, "bad_request"), "message": message,
                      "details": list(details)}}


def error_response(status: int, message: str, details: Iterable[Mapping[str, Any]] = ()) -> JsonResponse:
    """The error format outside Ninja's views (unknown paths, wrong methods, docs assets)."""
    return JsonResponse(error_payload(status, message, details), status=status,
                        json_dumps_params={"ensure_ascii": False})


# --- validation messages in Korean -------------------------------------------------------------

_TEMPLATES: dict[str, str] = {
    "missing": "필수 항목입니다.",
    "extra_forbidden": "알 수 없는 항목입니다.",
    "string_type": "문자열이어야 합니다.",
    "string_too_short": "{min_length}자 이상 입력해 주세요.",
    "string_too_long": "{max_length}자 이하로 입력해 주세요.",
    "string_pattern_mismatch": "형식이 올바르지 않습니다.",
    "too_short": "{min_length}개 이상 보내 주세요.",
    "too_long": "{max_length}개 이하로 보내 주세요.",
    "int_type": "정수여야 합니다.",
    "int_parsing": "정수여야 합니다.",
    "int_from_float": "정수여야 합니다.",
    "greater_than": "{gt}보다 커야 합니다.",
    "greater_than_equal": "{ge} 이상이어야 합니다.",
    "less_than": "{lt}보다 작아야 합니다.",
    "less_than_equal": "{le} 이하여야 합니다.",
    "bool_type": "true 또는 false여야 합니다.",
    "bool_parsing": "true 또는 false여야 합니다.",
    "enum": "다음 중 하나여야 합니다: {expected}",
    "literal_error": "다음 중 하나여야 합니다: {expected}",
    "date_type": "날짜여야 합니다 (예: 2026-11-23).",
    "date_parsing": "날짜 형식이 올바르지 않습니다 (예: 2026-11-23).",
    "date_from_datetime_parsing": "날짜 형식이 올바르지 않습니다 (예: 2026-11-23).",
    "date_from_datetime_inexact": "시각 없이 날짜만 보내 주세요 (예: 2026-11-23).",
    "datetime_type": "날짜·시각이어야 합니다 (예: 2026-11-23T09:30:00+09:00).",
    "datetime_parsing": "날짜·시각 형식이 올바르지 않습니다 (예: 2026-11-23T09:30:00+09:00).",
    "datetime_from_date_parsing": "날짜·시각 형식이 올바르지 않습니다 (예: 2026-11-23T09:30:00+09:00).",
    "timezone_aware": "시간대를 포함해 보내 주세요 (예: 2026-11-23T09:30:00+09:00).",
    "list_type": "배열이어야 합니다.",
    "dict_type": "객체여야 합니다.",
    "model_type": "객체여야 합니다.",
    "model_attributes_type": "객체여야 합니다.",
    "json_invalid": MSG_BAD_BODY,
}
# Locations Ninja adds for the name of the view argument that holds the schema.
_ARGUMENT_NAMES = {"payload", "filters"}


def _korean(error: Mapping[str, Any]) -> str:
    kind = str(error.get("type", ""))
    ctx = error.get("ctx") or {}
    if kind in ("value_error", "assertion_error") and ctx.get("error"):
        return str(ctx["error"])
    template = _TEMPLATES.get(kind)
    if template is None:
        return str(error.get("msg", MSG_VALIDATION))
    if kind in ("enum", "literal_error") and "expected" in ctx:
        ctx = {**ctx, "expected": str(ctx["expected"]).replace(" or ", ", ")}
    try:
        return template.format(**ctx)
    except (KeyError, IndexError, ValueError):
        return str(error.get("msg", MSG_VALIDATION))


def validation_details(errors: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    details = []
    for error in errors:
        loc = [part if isinstance(part, int) else str(part) for part in error.get("loc", ())]
        if len(loc) >= 2 and loc[1] in _ARGUMENT_NAMES:
            del loc[1]
        details.append({"loc": loc, "msg": _korean(error), "type": str(error.get("type", "invalid"))})
    return details


def _validation_message(details: list[dict[str, Any]]) -> str:
    if not details:
        return MSG_VALIDATION
    first = details[0]
    field = ".".join(str(part) for part in first["loc"][1:]) or ".".join(str(p) for p in first["loc"])
    message = f"{MSG_VALIDATION} {field}: {first['msg']}" if field else f"{MSG_VALIDATION} {first['msg']}"
    if len(details) > 1:
        message += f" (외 {len(details) - 1}건)"
    return message


# --- handlers ----------------------------------------------------------------------------------

def install(api: NinjaAPI) -> None:
    """Register the handlers that turn every exception into the error format."""

    def respond(request: HttpRequest, status: int, message: str,
                details: Iterable[Mapping[str, Any]] = ()) -> HttpResponse:
        return api.create_response(request, error_payload(status, message, details), status=status)

    def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        details = validation_details(exc.errors)
        return respond(request, 422, _validation_message(details), details)

    def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        status = exc.status_code
        if isinstance(exc, AuthenticationError):
            message = exc.message if exc.message != "Unauthorized" else MSG_UNAUTHORIZED
            response = respond(request, 401, message)
            response["WWW-Authenticate"] = 'Bearer realm="cxops"'
            return response
        if isinstance(exc, Throttled):
            wait = math.ceil(exc.wait) if exc.wait else None
            message = "요청이 너무 많습니다. " + (f"{wait}초 뒤에 다시 시도해 주세요." if wait else "잠시 뒤에 다시 시도해 주세요.")
            return respond(request, 429, message)
        message = str(exc)
        if status == 400 and message.startswith("Cannot parse request body"):
            message = MSG_BAD_BODY
        elif status == 403 and message == "Forbidden":
            message = MSG_FORBIDDEN
        return respond(request, status, message)

    def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        # Never say *what* was not found: a missing workspace and one the caller cannot see
        # must look the same.
        return respond(request, 404, MSG_NOT_FOUND)

    def on_permission(request: HttpRequest, exc: Exception) -> HttpResponse:
        if isinstance(exc, OSError) and exc.errno is not None:
            # A real operating-system error (a file we could not write), not a rule of ours.
            return on_unexpected(request, exc)
        return respond(request, 403, str(exc) or MSG_FORBIDDEN)

    def on_service_error(request: HttpRequest, exc: ServiceError) -> HttpResponse:
        return respond(request, 400, str(exc))

    def on_unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
        # Logged like Django logs an unhandled exception (with the request), and signalled so
        # error reporters and the test client still see it.
        log.error("Internal Server Error: %s", request.path, exc_info=exc,
                  extra={"status_code": 500, "request": request})
        got_request_exception.send(sender=None, request=request)
        return respond(request, 500, MSG_SERVER)

    handlers: list[tuple[type[Exception], Callable[[HttpRequest, Any], HttpResponse]]] = [
        (ValidationError, on_validation_error),
        (HttpError, on_http_error),
        (Http404, on_not_found),
        (PermissionError, on_permission),
        (PermissionDenied, on_permission),
        (ServiceError, on_service_error),
        (Exception, on_unexpected),
    ]
    for exc_class, handler in handlers:
        api.add_exception_handler(exc_class, handler)
