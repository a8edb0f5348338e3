// Command bluelamp is the connected-policing platform in one binary: the
// server and its administration commands.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	switch {
	case err == nil:
	case errors.Is(err, errUsage):
		os.Exit(2)
	case errors.Is(err, errSilent):
		os.Exit(1)
	default:
		fmt.Fprintln(os.Stderr, "bluelamp:", err)
		os.Exit(1)
	}
}

// errUsage means the command line was wrong; the message has been printed.
var errUsage = errors.New("usage")

// errSilent means the command failed and has said why.
var errSilent = errors.New("failed")

// env gives commands their environment and standard streams.
type env struct {
	getenv func(string) string
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
}

// command is one subcommand.
type command interface {
	// ParseFlags reads args; a usage error has already been printed.
	ParseFlags(args []string) error
	// Run does the work.
	Run(ctx context.Context) error
	// Close releases what Run opened.
	Close() error
}

type commandInfo struct {
	name, summary string
	make          func(e env) command
}

func commands() []commandInfo {
	return []commandInfo{
		{"serve", "run the server (embedded SQLite and NATS unless told otherwise)", func(e env) command { return &serveCommand{env: e} }},
		{"migrate", "apply database migrations", func(e env) command { return &migrateCommand{env: e} }},
		{"force", "add and list forces (add, list)", func(e env) command { return &forceCommand{env: e} }},
		{"user", "manage users (add, list, disable, enable, set-password, grant, revoke)", func(e env) command { return &userCommand{env: e} }},
		{"token", "manage API bearer tokens for integrations (create, list, revoke)", func(e env) command { return &tokenCommand{env: e} }},
		{"simulate", "drive a running bluelamp with simulated forces, for demos, training and load; report what it measured", func(e env) command { return &simulateCommand{env: e} }},
		{"verify", "check every force's event log and audit trail hash chains", func(e env) command { return &verifyCommand{env: e} }},
		{"version", "print the version", func(e env) command { return &versionCommand{env: e} }},
	}
}

func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	e := env{getenv: getenv, stdin: stdin, stdout: stdout, stderr: stderr}
	if len(args) == 0 {
		usage(stderr)
		return errUsage
	}
	name, rest := args[0], args[1:]
	switch name {
	case "help", "-h", "-help", "--help":
		if len(rest) == 0 {
			usage(stdout)
			return nil
		}
		name, rest = rest[0], []string{"-h"}
	}
	for _, c := range commands() {
		if c.name != name {
			continue
		}
		cmd := c.make(e)
		if err := cmd.ParseFlags(rest); errors.Is(err, errHelp) {
			return nil
		} else if err != nil {
			return err
		}
		defer cmd.Close()
		return cmd.Run(ctx)
	}
	fmt.Fprintf(stderr, "bluelamp: unknown command %q\n\n", name)
	usage(stderr)
	return errUsage
}

func usage(w io.Writer) {
	fmt.Fprint(w, `bluelamp — connected policing: command & control, the officer app,
public contact and cross-force sharing, in one binary.

Usage:
  bluelamp COMMAND [flags]

Commands:
`)
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-9s %s\n", c.name, c.summary)
	}
	fmt.Fprint(w, `
Every flag can also be set with an environment variable: --data-dir is
BLUELAMP_DATA_DIR, and so on. Flags win over the environment.

Run 'bluelamp help COMMAND' for a command's flags.
`)
}
