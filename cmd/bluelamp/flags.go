package main

import (
	"errors"
	"flag"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
)

// flagSet is a flag.FlagSet whose every flag also reads BLUELAMP_<NAME>
// from the environment; flags win over the environment.
type flagSet struct {
	*flag.FlagSet
	e       env
	envErrs []string
	pos     []string // the arguments that are not flags
}

func newFlagSet(e env, name, synopsis, about string) *flagSet {
	fs := &flagSet{FlagSet: flag.NewFlagSet(name, flag.ContinueOnError), e: e}
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		out := fs.Output()
		fmt.Fprintf(out, "Usage: bluelamp %s\n\n%s\n\nFlags:\n", synopsis, strings.TrimSpace(about))
		fs.PrintDefaults()
	}
	return fs
}

func envName(flagName string) string {
	return "BLUELAMP_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

func (fs *flagSet) fromEnv(name string) (string, bool) {
	v := fs.e.getenv(envName(name))
	return v, v != ""
}

func (fs *flagSet) stringVar(p *string, name, def, usage string) {
	if v, ok := fs.fromEnv(name); ok {
		def = v
	}
	fs.StringVar(p, name, def, usage+" ["+envName(name)+"]")
}

func (fs *flagSet) boolVar(p *bool, name string, def bool, usage string) {
	if v, ok := fs.fromEnv(name); ok {
		b, err := strconv.ParseBool(v)
		if err != nil {
			fs.envErrs = append(fs.envErrs, fmt.Sprintf("%s=%q is not true or false", envName(name), v))
		}
		def = b
	}
	fs.BoolVar(p, name, def, usage+" ["+envName(name)+"]")
}

func (fs *flagSet) durationVar(p *time.Duration, name string, def time.Duration, usage string) {
	if v, ok := fs.fromEnv(name); ok {
		d, err := time.ParseDuration(v)
		if err != nil {
			fs.envErrs = append(fs.envErrs, fmt.Sprintf("%s=%q is not a duration such as 30s or 12h", envName(name), v))
		}
		def = d
	}
	fs.DurationVar(p, name, def, usage+" ["+envName(name)+"]")
}

// parse parses args, flags and arguments in any order, requiring exactly
// nargs arguments (-1: any), and reports environment errors too. Usage
// problems print and return errUsage.
func (fs *flagSet) parse(args []string, nargs int) error {
	for _, a := range args {
		if a == "-h" || a == "-help" || a == "--help" {
			fs.SetOutput(fs.e.stdout)
		}
	}
	rest := args
	for {
		if err := fs.Parse(rest); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return errHelp
			}
			return errUsage
		}
		if fs.NArg() == 0 {
			break
		}
		fs.pos = append(fs.pos, fs.Arg(0))
		rest = fs.Args()[1:]
	}
	if len(fs.envErrs) > 0 {
		fmt.Fprintf(fs.Output(), "bluelamp %s: %s\n", fs.Name(), strings.Join(fs.envErrs, "; "))
		return errUsage
	}
	if nargs >= 0 && len(fs.pos) != nargs {
		fmt.Fprintf(fs.Output(), "bluelamp %s: expected %d argument(s), got %d\n\n", fs.Name(), nargs, len(fs.pos))
		fs.Usage()
		return errUsage
	}
	return nil
}

// parseSub parses a command whose first argument is a sub-command word from
// subs, which gives how many further arguments each takes.
func (fs *flagSet) parseSub(args []string, subs map[string]int) (string, []string, error) {
	if err := fs.parse(args, -1); err != nil {
		return "", nil, err
	}
	if len(fs.pos) == 0 {
		fmt.Fprintf(fs.Output(), "bluelamp %s: say which: %s\n\n", fs.Name(), strings.Join(slices.Sorted(maps.Keys(subs)), ", "))
		fs.Usage()
		return "", nil, errUsage
	}
	sub, rest := fs.pos[0], fs.pos[1:]
	n, ok := subs[sub]
	if !ok {
		fmt.Fprintf(fs.Output(), "bluelamp %s: unknown sub-command %q; say one of %s\n", fs.Name(), sub, strings.Join(slices.Sorted(maps.Keys(subs)), ", "))
		return "", nil, errUsage
	}
	if len(rest) != n {
		fmt.Fprintf(fs.Output(), "bluelamp %s %s: expected %d argument(s), got %d\n\n", fs.Name(), sub, n, len(rest))
		fs.Usage()
		return "", nil, errUsage
	}
	return sub, rest, nil
}

// errHelp means -h was asked for and the usage printed; the command succeeds.
var errHelp = errors.New("help shown")

// multiFlag collects a repeatable flag.
type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

// numberVar is a number flag that also reads BLUELAMP_<NAME>.
func numberVar[T int | int64 | float64](fs *flagSet, p *T, name string, def T, usage string) {
	parse := func(s string) (T, error) {
		var v T
		var err error
		switch q := any(&v).(type) {
		case *int:
			*q, err = strconv.Atoi(s)
		case *int64:
			*q, err = strconv.ParseInt(s, 10, 64)
		case *float64:
			*q, err = strconv.ParseFloat(s, 64)
		}
		return v, err
	}
	if s, ok := fs.fromEnv(name); ok {
		v, err := parse(s)
		if err != nil {
			fs.envErrs = append(fs.envErrs, fmt.Sprintf("%s=%q is not a number", envName(name), s))
		}
		def = v
	}
	*p = def
	fs.Func(name, fmt.Sprintf("%s (default %v) [%s]", usage, def, envName(name)), func(s string) error {
		v, err := parse(s)
		if err != nil {
			return fmt.Errorf("%q is not a number", s)
		}
		*p = v
		return nil
	})
}
