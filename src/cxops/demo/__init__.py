"""Korean demo data: `cxops demo`.

한빛 고객센터, an outsourced contact center, runs three client workspaces:

- ``shop``    맛있는식탁 — food e-commerce (신선식품, 밀키트, 과일 선물세트; 21 products with codes),
  sold on its own mall, Naver Smart Store and Coupang, with dawn delivery;
- ``scooter`` 씽씽라이드 — shared kick-scooters and e-bikes (unlock, fares, parking, towing, accidents);
- ``waste``   깨끗한환경 — business-waste collection (schedules, missed pickups, quotes, contracts,
  Allbaro 전자인계서/실적보고, waste codes, invoices).

Each has its own two-level categories, statuses, teams, products, custom fields, macros, shared
saved views and board text, and ≈90 days of tickets and logged calls across every channel.

Usage::

    cxops demo [--seed 42] [--now 2026-11-23T10:00:00+09:00] [--tickets 2000] [--reset] [--quiet]

Same ``--seed`` and ``--now`` → same data. A second run leaves existing demo workspaces alone and
says so; ``--reset`` deletes them (cascading to their tickets, calls and audit rows) and rebuilds.

Demo logins (password for all: ``cxops-demo-1234``, see :data:`cxops.demo.people.STAFF`):

=========================  ==========  ==========================================
admin@cxops.demo           윤태호      admin in shop, scooter, waste
manager@cxops.demo         최은영      manager in all three
lead@cxops.demo            정하늘      lead in shop, agent in scooter
lead2@cxops.demo           한도윤      lead in scooter and waste
agent1@cxops.demo          김민지      agent in shop
agent2@cxops.demo          이서준      agent in shop and scooter
agent3@cxops.demo          박지우      agent in shop and waste
agent4@cxops.demo          송유나      agent in scooter
agent5@cxops.demo          오현석      agent in scooter and waste
agent6@cxops.demo          장미래      agent in shop and waste
viewer.shop@cxops.demo     김지현      client viewer (read-only) in shop
viewer.scooter@cxops.demo  노준혁      client viewer in scooter
viewer.waste@cxops.demo    서은비      client viewer in waste
=========================  ==========  ==========================================

Modules: ``grammar`` (template alternatives, slots, Korean particles, typing noise), ``clock``
(traffic profiles, Korean holidays, opening hours), ``people`` (staff and customers), ``spec`` and
``content/`` (what each workspace is and the texts of its conversations), ``plan`` (everything
decided as plain data, no Django), ``build`` (bulk writes with invariants kept by hand), ``live``
(the freshest tickets made through the real services), ``cli``.
"""
