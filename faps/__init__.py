"""faps: case management of the Fonds d'aide aux projets de santé."""
