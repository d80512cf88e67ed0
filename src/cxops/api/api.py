"""The CXOps REST API (Django Ninja), mounted at /api/v1/.

Adapters only: each operation resolves the caller's membership, validates input with its schema,
calls a selector or a service, and renders the result. Rules live in the services.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ninja import NinjaAPI
from ninja.renderers import JSONRenderer

from cxops.api import assignment as assignment_api
from cxops.api import calls, collaboration, customers, errors, macros, messages, search, tickets, webhooks, workspaces
from cxops.api import complaints as complaints_api
from cxops.api import mail as mail_api
from cxops.api import notifications as notifications_api
from cxops.api import sla as sla_api
from cxops.api import workforce as workforce_api
from cxops.api.auth import ApiTokenAuth, SessionAuth
from cxops.api.docs import OfflineSwagger
from cxops.api.throttling import ApiRateThrottle
from cxops.insights import api as insights_api
from cxops.knowledge import api as knowledge_api

if TYPE_CHECKING:
    from ninja.operation import Operation

DESCRIPTION = """
고객센터 티켓·고객·통화 데이터를 다른 시스템과 연동하기 위한 REST API입니다.

## 인증

* **개인 API 토큰**: `Authorization: Bearer cxo_…` 헤더. 토큰은 발급할 때 한 번만 보이며 서버에는
  해시만 저장됩니다. 폐기한 토큰은 곧바로 거절됩니다.
* **브라우저 세션**: 로그인한 브라우저는 세션 쿠키로 호출할 수 있습니다. GET이 아닌 요청에는
  `X-CSRFToken` 헤더(쿠키 `csrftoken`의 값)가 필요합니다.

모든 데이터는 `/workspaces/{slug}/…` 아래에 있고, 호출한 사용자의 그 워크스페이스 구성원 권한으로
처리됩니다. 구성원이 아닌 워크스페이스와 그 안의 데이터는 **404**로 응답합니다(존재 여부를 알리지
않습니다). 고객사 열람자(client_viewer)는 조회만 할 수 있고, 변경 요청은 **403**입니다.
웹훅 관리는 워크스페이스 관리자만 할 수 있습니다.

## 오류 형식

모든 오류는 같은 모양입니다.

```json
{"error": {"code": "validation_error", "message": "입력값이 올바르지 않습니다. subject: 250자 이하로 입력해 주세요.",
           "details": [{"loc": ["body", "subject"], "msg": "250자 이하로 입력해 주세요.", "type": "string_too_long"}]}}
```

| HTTP | code | 뜻 |
|---|---|---|
| 400 | `bad_request` | 요청을 처리할 수 없음 (message에 고칠 점) |
| 401 | `unauthorized` | 토큰·로그인이 없거나 올바르지 않음 |
| 403 | `forbidden` | 권한 없음 (열람자의 변경, 관리자 전용 기능, CSRF) |
| 404 | `not_found` | 없거나 볼 수 없는 대상 |
| 405 | `method_not_allowed` | 이 주소가 받지 않는 HTTP 메서드 |
| 422 | `validation_error` | 입력 형식 오류 (details에 항목별 이유) |
| 429 | `rate_limited` | 요청이 너무 많음 (`Retry-After` 헤더 참고) |
| 500 | `server_error` | 서버 오류 (기록되어 관리자가 확인합니다) |

## 목록과 페이지

목록은 `{"items": [...], "next_cursor": "..."}` 형식입니다. 다음 페이지는 같은 조건에
`cursor=<next_cursor>`를 더해 요청합니다. `next_cursor`가 `null`이면 마지막 페이지입니다.
`limit`은 1–100 (기본 50).

## 웹훅

워크스페이스 관리자가 등록한 주소로 `ticket.created`, `ticket.updated`, `ticket.replied` 이벤트를
POST로 보냅니다. 실패하면(2xx가 아닌 응답, 연결 오류) 30초, 1분, 2분 … 간격으로 최대 8번
다시 보내며, 시도마다 발송 기록(`GET …/webhooks/{id}/deliveries`)에 남습니다.

본문 예:

```json
{"event": "ticket.created",
 "ticket": {"workspace": "shop", "number": 1001, "external_id": null, "subject": "배송 문의",
            "status": "new", "priority": "normal", "type": "inquiry", "channel": "api",
            "assignee_id": null, "customer_id": 12,
            "created_at": "2026-11-23T00:30:00Z", "updated_at": "2026-11-23T00:30:00Z"},
 "data": {}, "sent_at": "2026-11-23T00:30:01.123Z"}
```

헤더:

* `X-CXOps-Event`: 이벤트 이름
* `X-CXOps-Delivery`: 발송 기록 id (재시도해도 같음 — 중복 처리 방지에 쓰세요)
* `X-CXOps-Timestamp`: 보낸 시각 (Unix 초)
* `X-CXOps-Signature`: `sha256=` + HMAC-SHA256(웹훅 secret, `"{timestamp}.{본문 바이트}"`)의 16진수

받는 쪽 검증 예 (Python):

```python
import hashlib, hmac, time

def verify(secret: str, headers, body: bytes) -> bool:
    timestamp = headers["X-CXOps-Timestamp"]
    if abs(time.time() - int(timestamp)) > 300:      # 5분보다 오래된 요청은 재전송 공격으로 보고 거절
        return False
    expected = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest("sha256=" + expected, headers["X-CXOps-Signature"])
```

서명은 받은 본문 바이트 그대로 계산하세요 (JSON을 다시 직렬화하면 달라집니다).
secret은 웹훅을 등록할 때 응답으로 한 번만 보여 줍니다.
""".strip()


class Utf8JSONRenderer(JSONRenderer):
    """Korean text stays readable in responses instead of \\uXXXX escapes."""

    media_type = "application/json"
    json_dumps_params = {"ensure_ascii": False}


class CXOpsAPI(NinjaAPI):
    def get_openapi_operation_id(self, operation: Operation) -> str:
        # View names are unique across the API (a test checks it): ticket_list, ticket_create …
        return operation.view_func.__name__


api = CXOpsAPI(
    title="CXOps API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    auth=[ApiTokenAuth(), SessionAuth()],
    throttle=[ApiRateThrottle()],
    docs=OfflineSwagger(),
    renderer=Utf8JSONRenderer(),
)
errors.install(api)

for module in (workspaces, tickets, messages, customers, calls, search, macros, webhooks, knowledge_api,
               collaboration, insights_api, workforce_api, notifications_api,
               mail_api, assignment_api, sla_api, complaints_api):
    api.add_router("", module.router)
