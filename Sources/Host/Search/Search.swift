/// Architecture search: search spaces, evaluators, Pareto fronts, the NAO controller and the
/// random and evolutionary baselines. Knows nothing of the command line.
public enum Search {}
