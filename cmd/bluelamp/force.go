package main

import (
	"context"
	"errors"
	"fmt"
	"text/tabwriter"

	"github.com/bluelamp/bluelamp"
	"github.com/bluelamp/bluelamp/internal/sqlstore"
)

type forceCommand struct {
	env
	db    dbFlags
	sub   string
	args  []string
	name  string
	store *sqlstore.Store
}

func (c *forceCommand) ParseFlags(args []string) error {
	fs := newFlagSet(c.env, "force", "force add ID --name NAME | force list", `
Add a force (ID is its data.police.uk-style slug, e.g. avon-and-somerset)
or list the forces in this deployment.`)
	c.db.register(fs)
	fs.stringVar(&c.name, "name", "", "the force's name, for add")
	sub, rest := splitSub(args)
	c.sub = sub
	want := map[string]int{"add": 1, "list": 0}
	n, ok := want[sub]
	if !ok {
		if err := fs.parse(rest, -1); err != nil {
			return err
		}
		fmt.Fprintf(c.stderr, "bluelamp force: say add or list\n")
		return errUsage
	}
	if err := fs.parse(rest, n); err != nil {
		return err
	}
	c.args = fs.Args()
	return nil
}

func (c *forceCommand) Run(ctx context.Context) (err error) {
	if c.store, err = c.db.openStore(sqlstore.MigrateIfEmpty); err != nil {
		return err
	}
	dctx := cliContext(ctx, "")
	switch c.sub {
	case "add":
		f := &bluelamp.Force{ID: bluelamp.ForceID(c.args[0]), Name: c.name}
		if err := c.store.CreateForce(dctx, f); err != nil {
			return describe(err)
		}
		fmt.Fprintf(c.stdout, "force %s (%s) added\n", f.ID, f.Name)
	case "list":
		forces, err := c.store.FindForces(dctx)
		if err != nil {
			return describe(err)
		}
		tw := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tNAME")
		for _, f := range forces {
			fmt.Fprintf(tw, "%s\t%s\n", f.ID, f.Name)
		}
		return tw.Flush()
	}
	return nil
}

func (c *forceCommand) Close() error {
	if c.store != nil {
		return c.store.Close()
	}
	return nil
}

// splitSub separates a sub-command word from the rest of the arguments,
// allowing flags before or after it.
func splitSub(args []string) (string, []string) {
	for i, a := range args {
		if len(a) > 0 && a[0] != '-' {
			if i > 0 {
				prev := args[i-1]
				if len(prev) > 1 && prev[0] == '-' && !containsEq(prev) && !isBoolFlag(prev) {
					continue // a flag's value
				}
			}
			return a, append(append([]string{}, args[:i]...), args[i+1:]...)
		}
	}
	return "", args
}

func containsEq(s string) bool {
	for _, c := range s {
		if c == '=' {
			return true
		}
	}
	return false
}

// isBoolFlag lists the boolean flags of the administration commands, which
// take no separate value.
func isBoolFlag(f string) bool {
	switch f {
	case "-password-stdin", "--password-stdin", "-oidc-only", "--oidc-only", "-h", "--help", "-help":
		return true
	}
	return false
}

// describe turns a domain error into a message for the operator.
func describe(err error) error {
	if err == nil {
		return nil
	}
	if e, ok := errors.AsType[*bluelamp.Error](err); ok && e.Kind != bluelamp.KindInternal {
		msg := e.Message
		for f, m := range e.Fields {
			msg += fmt.Sprintf("\n  %s %s", f, m)
		}
		return fmt.Errorf("%s", msg)
	}
	return err
}
