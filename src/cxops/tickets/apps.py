from django.apps import AppConfig


class TicketsConfig(AppConfig):
    name = "cxops.tickets"
    label = "tickets"
    verbose_name = "Tickets"
