"""Base classes and shared pieces of the API schemas.

Every use case nests its own schemas (``TicketCreate.Input``, ``TicketList.Filters``), as in
HackSoft's styleguide. Django Ninja puts every schema into one global OpenAPI namespace keyed by
the class name, so two nested classes both called ``Input`` would silently overwrite each other;
the metaclass below gives each nested schema its flattened qualified name (``TicketCreateInput``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, ClassVar, dataclass_transform

from ninja import Path, Schema
from ninja.schema import ResolverMetaclass
from pydantic import ConfigDict, Field, PrivateAttr, field_validator, model_validator

# Largest values the database columns hold: ticket numbers are PositiveIntegerField (int4),
# primary keys BigAutoField (int8).
MAX_NUMBER = 2_147_483_647
MAX_ID = 9_223_372_036_854_775_807

Id = Annotated[int, Field(ge=1, le=MAX_ID)]
# The URL converter already admits only slugs; this documents it in the schema.
WorkspaceSlug = Annotated[str, Path(pattern=r"^[-a-zA-Z0-9_]+$", max_length=60, description="워크스페이스 슬러그")]


@dataclass_transform(kw_only_default=True, field_specifiers=(Field, PrivateAttr))
class _UseCaseNaming(ResolverMetaclass):
    def __new__(mcs, name: str, bases: tuple[type, ...], namespace: dict[str, Any], **kwargs: Any) -> Any:
        qualname = namespace.get("__qualname__", name)
        if "." in qualname and "<locals>" not in qualname:
            name = qualname.replace(".", "")
            namespace["__qualname__"] = name
        return super().__new__(mcs, name, bases, namespace, **kwargs)


class ApiSchema(Schema, metaclass=_UseCaseNaming):
    """Base of every API schema."""


def _check_text(value: Any) -> Any:
    """Reject text the database cannot store: NUL characters and lone surrogates."""
    if isinstance(value, str):
        if "\x00" in value:
            raise ValueError("NUL 문자(\\u0000)는 보낼 수 없습니다.")
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise ValueError("UTF-8로 표현할 수 없는 문자가 포함되어 있습니다.") from exc
    elif isinstance(value, Mapping):
        for key, item in value.items():
            _check_text(key)
            _check_text(item)
    elif isinstance(value, list | tuple):
        for item in value:
            _check_text(item)
    return value


class ApiInput(ApiSchema):
    """Query filters and request bodies: text must be storable as it is."""

    @field_validator("*", mode="after")
    @classmethod
    def _storable_text(cls, value: Any) -> Any:
        return _check_text(value)


class ApiBody(ApiInput):
    """A JSON request body. Unknown keys are an error, so a typo never passes silently."""

    model_config = ConfigDict(extra="forbid")

    # Fields that may be left out but never sent as null (PATCH semantics).
    NOT_NULL: ClassVar[tuple[str, ...]] = ()

    @model_validator(mode="after")
    def _no_explicit_null(self) -> Any:
        for name in self.NOT_NULL:
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"{name} 값으로 null을 보낼 수 없습니다. 바꾸지 않으려면 항목을 빼 주세요.")
        return self


class Ref(ApiSchema):
    id: int
    name: str


class UserRef(ApiSchema):
    id: int
    name: str
    email: str


def user_ref(user: Any) -> UserRef | None:
    if user is None:
        return None
    return UserRef(id=user.pk, name=user.label, email=user.email)


def ref(obj: Any) -> Ref | None:
    if obj is None:
        return None
    return Ref(id=obj.pk, name=str(obj))


class PageFilters(ApiInput):
    cursor: str | None = Field(
        None, max_length=500, description="직전 응답의 next_cursor. 처음 페이지는 비워 둡니다."
    )
    limit: int = Field(50, ge=1, le=100, description="한 페이지의 항목 수 (1–100).")
