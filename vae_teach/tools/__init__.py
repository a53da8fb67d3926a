"""Book tools run from the command line: the student-notebook generator."""
