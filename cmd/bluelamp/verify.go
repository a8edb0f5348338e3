package main

import (
	"context"
	"fmt"

	"github.com/bluelamp/bluelamp/internal/sqlstore"
)

type verifyCommand struct {
	env
	db    dbFlags
	store *sqlstore.Store
}

func (c *verifyCommand) ParseFlags(args []string) error {
	fs := newFlagSet(c.env, "verify", "verify [flags]", `
Check every force's event log and s.62 audit trail: each entry's SHA-256
chain hash, the links between entries, and the recorded heads. Reports the
first altered, deleted, inserted or reordered entry of each chain and exits
with status 1 if any chain is broken. Record the printed head hashes
somewhere else to detect a rewrite of a whole chain later.`)
	c.db.register(fs)
	return fs.parse(args, 0)
}

func (c *verifyCommand) Run(ctx context.Context) (err error) {
	if c.store, err = c.db.openStore(sqlstore.MigrateNever); err != nil {
		return err
	}
	reports, err := c.store.VerifyChains(cliContext(ctx, ""))
	if err != nil {
		return err
	}
	broken := 0
	for _, r := range reports {
		if r.OK() {
			fmt.Fprintf(c.stdout, "ok      %-24s %-6s %8d entries  head %s\n", r.ForceID, r.Chain, r.Count, r.Head)
			continue
		}
		broken++
		fmt.Fprintf(c.stdout, "BROKEN  %-24s %-6s at entry %d: %s: %s\n", r.ForceID, r.Chain, r.Problem.Seq, r.Problem.Kind, r.Problem.Detail)
	}
	if broken > 0 {
		fmt.Fprintf(c.stderr, "bluelamp verify: %d of %d chains are broken\n", broken, len(reports))
		return errSilent
	}
	fmt.Fprintf(c.stdout, "all %d chains verified\n", len(reports))
	return nil
}

func (c *verifyCommand) Close() error {
	if c.store != nil {
		return c.store.Close()
	}
	return nil
}

type versionCommand struct{ env }

func (c *versionCommand) ParseFlags(args []string) error {
	fs := newFlagSet(c.env, "version", "version", "Print the version.")
	return fs.parse(args, 0)
}

func (c *versionCommand) Run(ctx context.Context) error {
	fmt.Fprintln(c.stdout, "bluelamp", version)
	return nil
}

func (c *versionCommand) Close() error { return nil }
