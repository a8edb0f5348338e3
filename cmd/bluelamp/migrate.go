package main

import (
	"context"
	"fmt"

	"github.com/bluelamp/bluelamp/internal/sqlstore"
)

type migrateCommand struct {
	env
	db    dbFlags
	store *sqlstore.Store
}

func (c *migrateCommand) ParseFlags(args []string) error {
	fs := newFlagSet(c.env, "migrate", "migrate [flags]", `
Apply every database migration this binary has that the database lacks,
each in its own transaction. Safe to run again: it does nothing when the
schema is current.`)
	c.db.register(fs)
	return fs.parse(args, 0)
}

func (c *migrateCommand) Run(ctx context.Context) (err error) {
	if c.store, err = c.db.openStore(sqlstore.MigrateAlways); err != nil {
		return err
	}
	if len(c.store.Applied) == 0 {
		fmt.Fprintf(c.stdout, "schema is current at version %d\n", c.store.SchemaBefore)
		return nil
	}
	fmt.Fprintf(c.stdout, "migrated from version %d to %d (applied %v)\n", c.store.SchemaBefore, c.store.Applied[len(c.store.Applied)-1], c.store.Applied)
	return nil
}

func (c *migrateCommand) Close() error {
	if c.store != nil {
		return c.store.Close()
	}
	return nil
}
