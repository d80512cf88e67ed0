"""Allbaro (올바로시스템) waste-report assistant: reconcile manifests with generation records, explain storage."""
