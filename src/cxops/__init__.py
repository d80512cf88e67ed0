"""CXOps: customer-service operations for Korean CS teams."""

__version__ = "0.1.0"
