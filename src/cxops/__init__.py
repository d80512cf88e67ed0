"""CXOps: customer-service operations for Korean CS teams."""

import os

__version__ = "0.1.0"

# One math thread per process unless the operator says otherwise. Web and job processes run many
# small matrix products side by side; OpenBLAS's own thread pool then only spins against them (a
# knowledge-base suggestion took 25 ms instead of 4 ms on a busy 2-core machine). Set before numpy
# is first imported, which is why it lives here; CXOPS_MATH_THREADS overrides it.
for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, os.environ.get("CXOPS_MATH_THREADS", "1"))
