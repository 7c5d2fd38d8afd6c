"""objstore packaging: the servers, daemons and tools as console scripts."""

from setuptools import find_packages, setup

setup(
    name="objstore",
    version="0.1.0",
    description="A Swift-style object store: Swift and S3 APIs, ring, daemons",
    packages=find_packages(include=["objstore", "objstore.*", "ring", "ring.*"]),
    # the dashboard's page ships with objstore (no CDN)
    package_data={"objstore.dashboard": ["static/*"]},
    python_requires=">=3.9",
    install_requires=[
        "eventlet>=0.33",
        "webob>=1.8",
        "xattr>=0.10",
        "cryptography>=3.4",
        # CRC32C / CRC64NVME at memory speed: S3 computes a CRC64NVME of
        # every upload that carries no checksum (pure Python does a few MB/s).
        "awscrt>=0.23",
    ],
    extras_require={
        "ec": ["pyeclib>=1.6"],
        "test": ["pytest", "hypothesis", "pytest-timeout", "pytest-xdist", "boto3", "python-swiftclient", "awscli"],
    },
    entry_points={
        "console_scripts": [
            "objstore-ring-builder = objstore.cli.ring_builder:main",
            "objstore-get-nodes = objstore.cli.get_nodes:main",
            "objstore-object-server = objstore.obj.server:main",
            "objstore-container-server = objstore.container.server:main",
            "objstore-account-server = objstore.account.server:main",
            "objstore-proxy-server = objstore.proxy.server:main",
            "objstore-container-replicator = objstore.container.replicator:main",
            "objstore-account-replicator = objstore.account.replicator:main",
            "objstore-container-updater = objstore.container.updater:main",
            "objstore-container-sync = objstore.container.sync:main",
            "objstore-container-auditor = objstore.container.auditor:main",
            "objstore-account-auditor = objstore.account.auditor:main",
            "objstore-account-reaper = objstore.account.reaper:main",
            "objstore-object-replicator = objstore.obj.replicator:main",
            "objstore-object-auditor = objstore.obj.auditor:main",
            "objstore-object-updater = objstore.obj.updater:main",
            "objstore-object-expirer = objstore.obj.expirer:main",
            "objstore-recon = objstore.cli.recon:main",
            "objstore-init = objstore.cli.init:main",
            "objstore-dispersion-populate = objstore.cli.dispersion:populate_main",
            "objstore-dispersion-report = objstore.cli.dispersion:report_main",
            "objstore-object-reconstructor = objstore.obj.reconstructor:main",
            "objstore-dashboard = objstore.dashboard.app:main",
            "objstore-relinker = objstore.cli.relinker:main",
            "objstore-tierer = objstore.tiering.tierer:main",
            "objstore-tier = objstore.cli.tier:main",
            "objstore-fault = objstore.cli.fault:main",
        ],
    },
)
