# Written by setuptools_scm when a real lstchain is installed. Test knob: ASTRAN_STANDIN_LSTCHAIN_VERSION replaces the
# version this installation reports (to prove a reported version comes from the node, or to feed a malformed one).
import os

version = os.environ.get("ASTRAN_STANDIN_LSTCHAIN_VERSION", "0.10.5")
