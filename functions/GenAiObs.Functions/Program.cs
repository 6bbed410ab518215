// Placeholder entry point so the solution builds while the Runtime API loop is written on its own branch.
return 1;
