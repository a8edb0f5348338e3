package exhibit

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"mime"
	"path/filepath"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/bluelamp/bluelamp"
)

// sniffLen is how much of a file is read to tell its type: enough for an
// ISO media file's ftyp box with a long list of compatible brands.
const sniffLen = 512

// Kind is a type of file accepted as an exhibit.
type Kind struct {
	MIME  string
	Label string
	Exts  []string // the extensions a file of this kind may have
	Alias []string // other media types devices send it as
}

// Kinds lists the accepted types of file: photos, documents, video and text.
var Kinds = []Kind{
	{MIME: "image/jpeg", Label: "JPEG image", Exts: []string{".jpg", ".jpeg", ".jpe", ".jfif"}, Alias: []string{"image/jpg", "image/pjpeg"}},
	{MIME: "image/png", Label: "PNG image", Exts: []string{".png"}},
	{MIME: "image/webp", Label: "WebP image", Exts: []string{".webp"}},
	{MIME: "image/heic", Label: "HEIC image", Exts: []string{".heic", ".heif", ".hif"},
		Alias: []string{"image/heif", "image/heic-sequence", "image/heif-sequence"}},
	{MIME: "application/pdf", Label: "PDF document", Exts: []string{".pdf"}, Alias: []string{"application/x-pdf"}},
	{MIME: "video/mp4", Label: "MP4 video", Exts: []string{".mp4", ".m4v"}, Alias: []string{"video/x-m4v"}},
	// iPhones record QuickTime (.mov) by default.
	{MIME: "video/quicktime", Label: "QuickTime video", Exts: []string{".mov", ".qt"}},
	{MIME: "text/plain", Label: "plain text", Exts: []string{".txt", ".text", ".log"}},
}

func kindOf(mimeType string) (Kind, bool) {
	i := slices.IndexFunc(Kinds, func(k Kind) bool { return k.MIME == mimeType || slices.Contains(k.Alias, mimeType) })
	if i < 0 {
		return Kind{}, false
	}
	return Kinds[i], true
}

// ISO base media brands (ISO/IEC 14496-12 ftyp) by what they hold.
var (
	heicBrands = []string{"heic", "heix", "hevc", "hevx", "heim", "heis", "mif1", "msf1"}
	mp4Brands  = []string{"isom", "iso2", "iso3", "iso4", "iso5", "iso6", "mp41", "mp42", "mp71", "avc1", "M4V ", "M4VH", "M4VP", "dash", "f4v ", "MSNV"}
	// Other ISO media a device may send that is not accepted, named so
	// the refusal says what it is.
	otherBrands = map[string]string{"avif": "AVIF image", "avis": "AVIF image sequence", "3gp4": "3GPP video", "3gp5": "3GPP video",
		"3gp6": "3GPP video", "3g2a": "3GPP2 video", "crx ": "Canon raw image", "jp2 ": "JPEG 2000 image", "M4A ": "MPEG-4 audio"}
)

// Sniff tells a file's type from its first bytes (up to 512): the accepted
// Kind, or false with a label for what it seems to be ("" if unknown).
func Sniff(head []byte) (Kind, string, bool) {
	mimeType, label := sniff(head)
	if k, ok := kindOf(mimeType); ok && mimeType != "" {
		return k, k.Label, true
	}
	return Kind{}, label, false
}

func sniff(b []byte) (mimeType, label string) {
	switch {
	case bytes.HasPrefix(b, []byte{0xFF, 0xD8, 0xFF}):
		return "image/jpeg", ""
	case bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")):
		return "image/png", ""
	case len(b) >= 12 && string(b[:4]) == "RIFF" && string(b[8:12]) == "WEBP":
		return "image/webp", ""
	case bytes.HasPrefix(b, []byte("%PDF-")):
		return "application/pdf", ""
	case len(b) >= 12 && string(b[4:8]) == "ftyp":
		return sniffISO(b)
	case bytes.HasPrefix(b, []byte("GIF87a")) || bytes.HasPrefix(b, []byte("GIF89a")):
		return "", "GIF image"
	case bytes.HasPrefix(b, []byte("MZ")):
		return "", "Windows program"
	case bytes.HasPrefix(b, []byte("\x7fELF")):
		return "", "ELF program"
	case bytes.HasPrefix(b, []byte("PK\x03\x04")):
		return "", "ZIP archive (or an Office document)"
	case bytes.HasPrefix(b, []byte("RIFF")):
		return "", "RIFF media (AVI or WAV)"
	case looksLikeText(b):
		return "text/plain", ""
	}
	return "", ""
}

// sniffISO types an ISO base media file by its ftyp box: the major brand
// first, then the compatible brands.
func sniffISO(b []byte) (string, string) {
	major := string(b[8:12])
	if slices.Contains(heicBrands, major) {
		return "image/heic", ""
	}
	if slices.Contains(mp4Brands, major) {
		return "video/mp4", ""
	}
	if major == "qt  " {
		return "video/quicktime", ""
	}
	if label, ok := otherBrands[major]; ok {
		return "", label
	}
	size := int(binary.BigEndian.Uint32(b[:4]))
	end := min(size, len(b))
	for i := 16; i+4 <= end; i += 4 {
		switch brand := string(b[i : i+4]); {
		case slices.Contains(heicBrands, brand):
			return "image/heic", ""
		case slices.Contains(mp4Brands, brand):
			return "video/mp4", ""
		}
	}
	return "", "ISO media of brand " + strings.TrimSpace(strings.ToValidUTF8(major, "?"))
}

// looksLikeText reports whether b is plain text: UTF-8 (an incomplete
// character at the very end is allowed, since b is a prefix) with no
// control characters but tab, newline, carriage return and form feed.
func looksLikeText(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	var t textCheck
	_, err := t.Write(b)
	return err == nil
}

var errNotText = errors.New("not plain text")

// textCheck is a writer that fails once what it is given stops being plain
// text, carrying a character split across writes.
type textCheck struct {
	carry []byte
	at    int64 // bytes checked
}

func (t *textCheck) Write(p []byte) (int, error) {
	b := append(t.carry, p...)
	t.carry = t.carry[:0]
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size <= 1 {
			if !utf8.FullRune(b[i:]) {
				t.carry = append(t.carry[:0], b[i:]...)
				break
			}
			return 0, errNotText
		}
		if r < 0x20 && r != '\t' && r != '\n' && r != '\r' && r != '\f' || r == 0x7f {
			return 0, errNotText
		}
		i += size
		t.at += int64(size)
	}
	return len(p), nil
}

// complete reports whether the text ended on a whole character.
func (t *textCheck) complete() bool { return len(t.carry) == 0 }

// Check types a file by its first bytes and checks it against the media
// type the device declared and its file name's extension: it returns the
// Kind, or a KindInvalid error with code unsupported_media_type naming what
// the content is and what was claimed. An empty declared type or
// application/octet-stream claims nothing; nor does a name without an
// extension.
func Check(head []byte, declared, filename string) (Kind, error) {
	k, seems, ok := Sniff(head)
	if !ok {
		what := "of a type not accepted"
		if seems != "" {
			what = "a " + seems + ", a type not accepted"
		}
		return Kind{}, unsupported(fmt.Sprintf("the file's content is %s: send a JPEG, PNG, WebP or HEIC photo, a PDF, an MP4 or QuickTime video, or plain text", what))
	}
	if declared != "" {
		mt, _, err := mime.ParseMediaType(declared)
		mt = strings.ToLower(mt)
		switch {
		case err != nil:
			return Kind{}, unsupported(fmt.Sprintf("the file was sent with a malformed media type; its content is a %s (%s)", k.Label, k.MIME))
		case mt == "application/octet-stream":
		case mt != k.MIME && !slices.Contains(k.Alias, mt):
			return Kind{}, unsupported(fmt.Sprintf("the file was sent as %s, but its content is a %s (%s)", quote(mt), k.Label, k.MIME))
		}
	}
	if ext := extension(filename); ext != "" && !slices.Contains(k.Exts, ext) {
		return Kind{}, unsupported(fmt.Sprintf("the file is named %s, but its content is a %s (%s), whose names end %s",
			quote("*"+ext), k.Label, k.MIME, strings.Join(k.Exts, ", ")))
	}
	return k, nil
}

// extension returns a file name's extension in lower case when it is one:
// letters and digits, at least one a letter, so "12.05.2026" has none.
func extension(filename string) string {
	ext := strings.ToLower(filepath.Ext(bluelamp.CleanFilename(filename)))
	if len(ext) < 2 || len(ext) > 6 {
		return ""
	}
	letter := false
	for _, r := range ext[1:] {
		switch {
		case r >= 'a' && r <= 'z':
			letter = true
		case r >= '0' && r <= '9':
		default:
			return ""
		}
	}
	if !letter {
		return ""
	}
	return ext
}

// quote shows a device's text in a message, cut short.
func quote(s string) string {
	if len(s) > 60 {
		s = s[:60] + "…"
	}
	return fmt.Sprintf("%q", s)
}

func unsupported(msg string) error {
	return &bluelamp.Error{Kind: bluelamp.KindInvalid, Code: "unsupported_media_type", Message: msg,
		Fields: map[string]string{"file": msg}}
}
