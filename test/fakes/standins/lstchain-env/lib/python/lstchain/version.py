# As in lstchain: the setuptools_scm file of a development install wins, else the one written at install time.
try:
    from ._dev_version import version
except ImportError:
    from ._version import version

__version__ = version
