"""A local Amazon DataZone emulator driven by botocore's DataZone service model.

Start it with `mesh-standins datazone --port N` or `start_background()`; point boto3 at it with
`endpoint_url` (or `AWS_ENDPOINT_URL_DATAZONE`) and drive it with `EmulatorAdmin`.
"""

from mesh_standins.datazone.client import EmulatorAdmin
from mesh_standins.datazone.server import RunningEmulator, start_background

__all__ = ["EmulatorAdmin", "RunningEmulator", "start_background"]
