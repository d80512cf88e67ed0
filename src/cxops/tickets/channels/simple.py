"""Channels whose replies are not sent anywhere by CXOps: phone (the agent calls back), API and
import (the caller owns delivery). Each still normalises through the same ingest path."""

from __future__ import annotations

from cxops.tickets.channels.base import ChannelAdapter, register


class PhoneAdapter(ChannelAdapter):
    channel = "phone"


class ApiAdapter(ChannelAdapter):
    channel = "api"


class ImportAdapter(ChannelAdapter):
    channel = "import"


for adapter in (PhoneAdapter(), ApiAdapter(), ImportAdapter()):
    register(adapter)
