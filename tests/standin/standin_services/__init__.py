"""Service implementations behind flr_standin.py (test-only stand-ins).

Each module holds one web service: ``pagure`` (pagure.io and dist-git),
``koji`` (XML-RPC hub), ``bugzilla`` (REST) and ``bodhi`` (REST).  They share
the request/response, time and journal helpers of ``common``.
"""
