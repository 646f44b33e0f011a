"""The Sanad application: the ``sanad`` command (:mod:`sanad.cli`) and the composition root
(:mod:`sanad.app`)."""
