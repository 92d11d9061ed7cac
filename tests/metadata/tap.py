"""Prints checks as TAP and gives the exit status: shared by the metadata checks."""


def report(results):
    """RESULTS: (name, ok, why) in order. Returns 0 when all are ok."""
    print(f"1..{len(results)}")
    for i, (name, ok, why) in enumerate(results, 1):
        print(f"{'ok' if ok else 'not ok'} {i} {name}")
        if not ok and why:
            for line in why.strip().splitlines():
                print(f"# {line}")
    return 0 if all(ok for _, ok, _ in results) else 1
