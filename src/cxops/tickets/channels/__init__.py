"""Built-in channel adapters; importing this package registers them."""

from cxops.tickets.channels import board, email, simple  # noqa: F401
