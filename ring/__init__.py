"""objstore ring: where every account, container and object lives.

Stdlib only, so tools and tests can use it with no server running.
"""
from ring.builder import RingBuilder, RingBuilderError
from ring.formats import RingData, RingLoadError
from ring.ring import Ring
from ring.utils import hash_path, load_hash_settings

__all__ = ['Ring', 'RingBuilder', 'RingBuilderError', 'RingData',
           'RingLoadError', 'hash_path', 'load_hash_settings']
