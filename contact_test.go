package bluelamp_test

import (
	"strings"
	"testing"

	"github.com/bluelamp/bluelamp"
)

func TestCallerNormalisedNumber(t *testing.T) {
	for _, c := range []struct {
		number string
		want   string
	}{
		{"07700 900123", "447700900123"},
		{"+447700900123", "447700900123"},
		{"+44 7700 900123", "447700900123"},
		{"+44 (0)7700 900123", "447700900123"},
		{"0044 7700 900123", "447700900123"},
		{"00 44 (0) 7700-900123", "447700900123"},
		{"(07700) 900-123", "447700900123"},
		{"020 7946 0018", "442079460018"},
		{"+33 1 23 45 67 89", "33123456789"},
		{"0033 1 23 45 67 89", "33123456789"},
		{"+1 (202) 555-0100", "12025550100"},
		{"999", "999"},
		{"", ""},
	} {
		if got := (bluelamp.Caller{Number: c.number}).NormalisedNumber(); got != c.want {
			t.Errorf("NormalisedNumber(%q) = %q, want %q", c.number, got, c.want)
		}
	}
}

func TestContactValidate(t *testing.T) {
	valid := func() *bluelamp.Contact {
		return &bluelamp.Contact{Channel: bluelamp.ChannelNonEmergency, Caller: bluelamp.Caller{Name: "Pat", Number: "07700 900123", Callback: true},
			Location: bluelamp.Location{Address: "12 High Street"}, Account: "my shed was broken into"}
	}
	for _, c := range []struct {
		name   string
		change func(*bluelamp.Contact)
		fields []string
	}{
		{"valid", func(*bluelamp.Contact) {}, nil},
		{"anonymous with no number", func(c *bluelamp.Contact) { c.Caller = bluelamp.Caller{Anonymous: true} }, nil},
		{"unknown channel", func(c *bluelamp.Contact) { c.Channel = "PIGEON" }, []string{"channel"}},
		{"no channel", func(c *bluelamp.Contact) { c.Channel = "" }, []string{"channel"}},
		{"name too long", func(c *bluelamp.Contact) { c.Caller.Name = strings.Repeat("n", 201) }, []string{"caller.name"}},
		{"anonymous but named", func(c *bluelamp.Contact) { c.Caller.Anonymous = true }, []string{"caller.name"}},
		{"number with letters", func(c *bluelamp.Contact) { c.Caller.Number = "07700 CALLME" }, []string{"caller.number"}},
		{"number too short", func(c *bluelamp.Contact) { c.Caller.Number = "12" }, []string{"caller.number"}},
		{"callback with no number", func(c *bluelamp.Contact) { c.Caller.Number = "" }, []string{"caller.number"}},
		{"no account", func(c *bluelamp.Contact) { c.Account = " \n " }, []string{"account"}},
		{"account too long", func(c *bluelamp.Contact) { c.Account = strings.Repeat("a", bluelamp.MaxAccount+1) }, []string{"account"}},
		{"account not text", func(c *bluelamp.Contact) { c.Account = "\xff" }, []string{"account"}},
		{"no location", func(c *bluelamp.Contact) { c.Location = bluelamp.Location{} }, []string{"location.address"}},
		{"everything wrong", func(c *bluelamp.Contact) {
			*c = bluelamp.Contact{Channel: "X", Caller: bluelamp.Caller{Number: "x", Name: "A", Anonymous: true}}
		}, []string{"channel", "caller.name", "caller.number", "account", "location.address"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			ct := valid()
			c.change(ct)
			wantInvalid(t, ct.Validate(nil), c.fields...)
		})
	}
	ct := valid()
	ct.Caller.Name, ct.Account = "  Pat  ", "  help  "
	if err := ct.Validate(nil); err != nil || ct.Caller.Name != "Pat" || ct.Account != "help" {
		t.Errorf("Validate left name %q and account %q (%v); want them trimmed", ct.Caller.Name, ct.Account, err)
	}
}

func TestChannels(t *testing.T) {
	seen := map[bluelamp.Channel]bool{}
	for _, ci := range bluelamp.Channels {
		if seen[ci.Code] || ci.Label == "" || !ci.Code.Valid() {
			t.Errorf("channel %+v is repeated, unlabelled or invalid", ci)
		}
		seen[ci.Code] = true
	}
	if bluelamp.Channel("112").Valid() {
		t.Error("an unlisted channel is valid")
	}
}
