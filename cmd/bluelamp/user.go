package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/bluelamp/bluelamp"
	"github.com/bluelamp/bluelamp/internal/auth"
	"github.com/bluelamp/bluelamp/internal/sqlstore"
)

type userCommand struct {
	env
	db    dbFlags
	sub   string
	args  []string
	store *sqlstore.Store

	force, name, email, collar string
	roles                      multiFlag
	passwordStdin, oidcOnly    bool
}

var userSubs = map[string]int{"add": 1, "list": 0, "disable": 1, "enable": 1, "set-password": 1, "grant": 2, "revoke": 2}

func (c *userCommand) ParseFlags(args []string) error {
	fs := newFlagSet(c.env, "user", "user SUBCOMMAND [flags] ARGS", `
Manage users:
  user add USERNAME --force F --name "Full Name" [--email E] [--collar N]
           [--role R]... (--password-stdin | --oidc-only)
  user list --force F
  user disable USERNAME        stop them signing in; ends their sessions
  user enable USERNAME         undo disable, and clear a lock-out
  user set-password USERNAME --password-stdin
  user grant USERNAME ROLE
  user revoke USERNAME ROLE
Roles: call_handler, controller, supervisor, response_officer,
neighbourhood_officer, analyst, force_admin, auditor, partner_agency.
Passwords are read from standard input, never from the command line.`)
	c.db.register(fs)
	fs.stringVar(&c.force, "force", "", "the user's force (add, list)")
	fs.stringVar(&c.name, "name", "", "display name (add)")
	fs.stringVar(&c.email, "email", "", "email address; OIDC sign-in matches it (add)")
	fs.stringVar(&c.collar, "collar", "", "collar number, when the user is an officer (add)")
	fs.Var(&c.roles, "role", "a role to grant; repeat for more (add)")
	fs.boolVar(&c.passwordStdin, "password-stdin", false, "read the password from the first line of standard input")
	fs.boolVar(&c.oidcOnly, "oidc-only", false, "the user signs in only through OIDC (add)")
	sub, rest, err := fs.parseSub(args, userSubs)
	if err != nil {
		return err
	}
	c.sub, c.args = sub, rest
	switch {
	case (sub == "add" || sub == "list") && c.force == "":
		fmt.Fprintf(c.stderr, "bluelamp user %s: --force is required\n", sub)
		return errUsage
	case sub == "add" && c.passwordStdin == c.oidcOnly:
		fmt.Fprintf(c.stderr, "bluelamp user add: give exactly one of --password-stdin and --oidc-only\n")
		return errUsage
	case sub == "set-password" && !c.passwordStdin:
		fmt.Fprintf(c.stderr, "bluelamp user set-password: --password-stdin is required\n")
		return errUsage
	}
	return nil
}

func (c *userCommand) readPassword() (string, error) {
	line, err := bufio.NewReader(c.stdin).ReadString('\n')
	if err != nil && line == "" {
		return "", errors.New("no password on standard input")
	}
	return auth.HashPassword(strings.TrimRight(line, "\r\n"))
}

func (c *userCommand) Run(ctx context.Context) (err error) {
	if c.store, err = c.db.openStore(sqlstore.MigrateIfEmpty); err != nil {
		return err
	}
	switch c.sub {
	case "add":
		return describe(c.add(ctx))
	case "list":
		return describe(c.list(ctx))
	}
	cred, err := c.store.FindCredential(cliContext(ctx, ""), strings.ToLower(c.args[0]), false)
	if err != nil {
		return describe(fmt.Errorf("find user %s: %w", c.args[0], err))
	}
	fctx := cliContext(ctx, cred.ForceID)
	switch c.sub {
	case "disable":
		err = c.store.DisableUser(fctx, cred.UserID)
	case "enable":
		err = c.store.EnableUser(fctx, cred.UserID)
	case "set-password":
		var hash string
		if hash, err = c.readPassword(); err == nil {
			err = c.store.SetUserPassword(fctx, cred.UserID, hash)
		}
	case "grant", "revoke":
		role := bluelamp.Role(c.args[1])
		if c.sub == "grant" {
			err = c.store.GrantRole(fctx, cred.UserID, role)
		} else {
			err = c.store.RevokeRole(fctx, cred.UserID, role)
		}
	}
	if err != nil {
		return describe(err)
	}
	fmt.Fprintf(c.stdout, "user %s: %s done\n", cred.Username, c.sub)
	return nil
}

func (c *userCommand) add(ctx context.Context) error {
	u := &bluelamp.User{Username: strings.ToLower(c.args[0]), DisplayName: c.name, Email: strings.ToLower(c.email), CollarNumber: c.collar}
	for _, r := range c.roles {
		u.Roles = append(u.Roles, bluelamp.Role(r))
	}
	if err := u.Validate(); err != nil {
		return err
	}
	var hash string
	if c.passwordStdin {
		var err error
		if hash, err = c.readPassword(); err != nil {
			return err
		}
	}
	if err := c.store.CreateUser(cliContext(ctx, bluelamp.ForceID(c.force)), u, hash); err != nil {
		return err
	}
	fmt.Fprintf(c.stdout, "user %s (id %d) added to %s\n", u.Username, u.ID, c.force)
	return nil
}

func (c *userCommand) list(ctx context.Context) error {
	users, total, err := c.store.FindUsers(cliContext(ctx, bluelamp.ForceID(c.force)), bluelamp.UserFilter{Limit: sqlstore.MaxLimit}, cliJustification("user list"))
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tUSERNAME\tNAME\tCOLLAR\tROLES\tSTATE")
	for _, u := range users {
		state := "active"
		if u.Disabled {
			state = "disabled"
		} else if u.LockedUntil != nil && u.LockedUntil.After(time.Now()) {
			state = "locked until " + u.LockedUntil.Format("15:04 UTC")
		}
		roles := make([]string, len(u.Roles))
		for i, r := range u.Roles {
			roles[i] = string(r)
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", u.ID, u.Username, u.DisplayName, u.CollarNumber, strings.Join(roles, ","), state)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if total > len(users) {
		fmt.Fprintf(c.stdout, "(%d of %d shown)\n", len(users), total)
	}
	return nil
}

func (c *userCommand) Close() error {
	if c.store != nil {
		return c.store.Close()
	}
	return nil
}
