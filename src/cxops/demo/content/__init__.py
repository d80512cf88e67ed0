"""The three demo workspaces of 한빛 고객센터."""

from cxops.demo.content.scooter import SCOOTER
from cxops.demo.content.shop import SHOP
from cxops.demo.content.waste import WASTE
from cxops.demo.spec import WorkspaceSpec

SPECS: tuple[WorkspaceSpec, ...] = (SHOP, SCOOTER, WASTE)
SLUGS: tuple[str, ...] = tuple(spec.slug for spec in SPECS)
