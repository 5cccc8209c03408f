"""Unit tests import the collection's module_utils as ``ansible_collections.cipp.cipp``."""
from tests import collection_path

collection_path.ensure()
