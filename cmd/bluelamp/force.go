package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
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
	sub, rest, err := fs.parseSub(args, map[string]int{"add": 1, "list": 0})
	if err != nil {
		return err
	}
	c.sub, c.args = sub, rest
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

// describe turns a domain error into a message for the operator.
func describe(err error) error {
	if err == nil {
		return nil
	}
	if e, ok := errors.AsType[*bluelamp.Error](err); ok && e.Kind != bluelamp.KindInternal {
		var msg strings.Builder
		msg.WriteString(e.Message)
		for f, m := range e.Fields {
			msg.WriteString(fmt.Sprintf("\n  %s %s", f, m))
		}
		return fmt.Errorf("%s", msg.String())
	}
	return err
}
