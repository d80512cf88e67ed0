"""Built-in channel adapters; importing this package registers them."""

from cxops.tickets.channels import board, simple  # noqa: F401
