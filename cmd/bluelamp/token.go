package main

import (
	"context"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/bluelamp/bluelamp"
	"github.com/bluelamp/bluelamp/internal/auth"
	"github.com/bluelamp/bluelamp/internal/sqlstore"
)

type tokenCommand struct {
	env
	db    dbFlags
	sub   string
	args  []string
	store *sqlstore.Store

	force, name string
	expires     time.Duration
}

var tokenSubs = map[string]int{"create": 1, "list": 0, "revoke": 1}

func (c *tokenCommand) ParseFlags(args []string) error {
	fs := newFlagSet(c.env, "token", "token SUBCOMMAND [flags] ARGS", `
Manage API bearer tokens for integrations. A token acts as its user, with
that user's roles; send it as "Authorization: Bearer <secret>".
  token create USERNAME --name "what it is for" [--expires 2160h]
           prints the secret once: bluelamp keeps only its hash
  token list --force F
  token revoke TOKEN_ID --force F`)
	c.db.register(fs)
	fs.stringVar(&c.force, "force", "", "the force (list, revoke)")
	fs.stringVar(&c.name, "name", "", "what the token is for (create)")
	fs.durationVar(&c.expires, "expires", 0, "lifetime, e.g. 2160h for 90 days; 0 never expires (create)")
	sub, rest, err := fs.parseSub(args, tokenSubs)
	if err != nil {
		return err
	}
	c.sub, c.args = sub, rest
	switch {
	case sub == "create" && c.name == "":
		fmt.Fprintf(c.stderr, "bluelamp token create: --name is required\n")
		return errUsage
	case sub != "create" && c.force == "":
		fmt.Fprintf(c.stderr, "bluelamp token %s: --force is required\n", sub)
		return errUsage
	case c.expires < 0:
		fmt.Fprintf(c.stderr, "bluelamp token: --expires must not be negative\n")
		return errUsage
	}
	return nil
}

func (c *tokenCommand) Run(ctx context.Context) (err error) {
	if c.store, err = c.db.openStore(sqlstore.MigrateIfEmpty); err != nil {
		return err
	}
	switch c.sub {
	case "create":
		return describe(c.create(ctx))
	case "revoke":
		if err := c.store.RevokeToken(cliContext(ctx, bluelamp.ForceID(c.force)), bluelamp.TokenID(c.args[0])); err != nil {
			return describe(err)
		}
		fmt.Fprintf(c.stdout, "token %s revoked\n", c.args[0])
		return nil
	}
	tokens, err := c.store.FindTokens(cliContext(ctx, bluelamp.ForceID(c.force)))
	if err != nil {
		return describe(err)
	}
	tw := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tUSER\tNAME\tCREATED\tEXPIRES\tREVOKED")
	for _, t := range tokens {
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\t%s\n", t.ID, t.UserID, t.Name, t.CreatedAt.Format(time.RFC3339), fmtTime(t.ExpiresAt), fmtTime(t.RevokedAt))
	}
	return tw.Flush()
}

func (c *tokenCommand) create(ctx context.Context) error {
	cred, err := c.store.FindCredential(cliContext(ctx, ""), strings.ToLower(c.args[0]), false)
	if err != nil {
		return fmt.Errorf("find user %s: %w", c.args[0], err)
	}
	if c.force != "" && bluelamp.ForceID(c.force) != cred.ForceID {
		return fmt.Errorf("user %s is not in force %s", cred.Username, c.force)
	}
	var exp *time.Time
	if c.expires > 0 {
		exp = new(time.Now().Add(c.expires).UTC())
	}
	tk, secret := auth.NewToken(cred.UserID, c.name, exp)
	if err := c.store.CreateToken(cliContext(ctx, cred.ForceID), tk); err != nil {
		return err
	}
	fmt.Fprintf(c.stderr, "token %s created for %s; the secret is shown once:\n", tk.ID, cred.Username)
	fmt.Fprintln(c.stdout, secret)
	return nil
}

func fmtTime(t *time.Time) string {
	if t == nil {
		return "-"
	}
	return t.Format(time.RFC3339)
}

func (c *tokenCommand) Close() error {
	if c.store != nil {
		return c.store.Close()
	}
	return nil
}
