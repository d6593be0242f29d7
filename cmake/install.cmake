# install rules: filled in by the packaging step
