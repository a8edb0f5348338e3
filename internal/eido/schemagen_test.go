package eido

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v4"
)

// The embedded schema is generated from NENA's OpenAPI document by
// generateSchema, run by TestSchemaUpToDate (go test -update rewrites it).
// The translation from OpenAPI 3.0 schema objects to JSON Schema draft-04,
// the draft OpenAPI 3.0 extends, is:
//
//   - Only the components reachable from the root schema are kept, each as a
//     definition named "<file>.<component>" ("eido." for the EIDO file).
//     Cross-file $refs ("NIEMComponents/nc.yaml#/components/schemas/X")
//     become "#/definitions/nc.X".
//   - Annotations are dropped (description, title, example, default,
//     externalDocs, xml, deprecated, readOnly, writeOnly): they do not
//     validate, and the embedded copy carries NENA's structure, not its
//     prose.
//   - Members beside a $ref are dropped, as OpenAPI 3.0 says they are
//     ignored.
//   - nullable: true becomes a "null" type (and a null enum member).
//   - Enum members of a string type keep their YAML text: YAML would read
//     `- 08` or `- 00.00` as numbers that no string instance could equal.
//   - A numeric keyword written with a stray trailing comma (`minItems: 1,`,
//     upstream defect 1 in SOURCE.md) is read as the number.
//   - Each array of one reference, as NIEM writes nearly every property,
//     becomes a reference to a shared "arrayOf.<definition>" (see
//     shareArrays): the same validation with 40% fewer subschemas to
//     compile.
//
// Any other keyword stops the generator, so an upstream change cannot slip
// through untranslated.

// generateSchema builds the JSON Schema for component rootName of the
// OpenAPI document at dir/rootFile.
func generateSchema(dir, rootFile, rootName string) ([]byte, error) {
	g := &schemaGen{dir: dir, root: path.Clean(rootFile), files: map[string]*yaml.Node{}, defs: map[string]any{}, seen: map[string]bool{}}
	start, err := g.enqueue(g.root, rootName)
	if err != nil {
		return nil, err
	}
	for len(g.queue) > 0 {
		r := g.queue[0]
		g.queue = g.queue[1:]
		schemas, err := g.schemas(r.file)
		if err != nil {
			return nil, err
		}
		n := mappingValue(schemas, r.name)
		if n == nil {
			return nil, fmt.Errorf("%s: no component %q", r.file, r.name)
		}
		v, err := g.schema(r.file, n)
		if err != nil {
			return nil, fmt.Errorf("%s#%s: %w", r.file, r.name, err)
		}
		g.defs[g.defName(r.file, r.name)] = v
	}
	for _, v := range slices.Collect(maps.Values(g.defs)) {
		g.shareArrays(v.(map[string]any))
	}
	var b bytes.Buffer
	if start != "#/definitions/"+rootDef {
		return nil, fmt.Errorf("root component is %s, want %s", start, rootDef)
	}
	b.WriteString("{\"$schema\":\"http://json-schema.org/draft-04/schema#\",\n\"definitions\":{\n")
	names := make([]string, 0, len(g.defs))
	for name := range g.defs {
		names = append(names, name)
	}
	slices.Sort(names)
	for i, name := range names {
		k, _ := json.Marshal(name)
		v, err := json.Marshal(g.defs[name])
		if err != nil {
			return nil, err
		}
		b.Write(k)
		b.WriteByte(':')
		b.Write(v)
		if i < len(names)-1 {
			b.WriteByte(',')
		}
		b.WriteByte('\n')
	}
	b.WriteString("}}\n")
	return b.Bytes(), nil
}

type schemaRef struct{ file, name string }

type schemaGen struct {
	dir   string
	root  string
	files map[string]*yaml.Node // file → its components.schemas mapping
	defs  map[string]any
	seen  map[string]bool
	queue []schemaRef
}

func (g *schemaGen) defName(file, name string) string {
	base := strings.TrimSuffix(path.Base(file), ".yaml")
	if file == g.root {
		base = "eido"
	}
	return base + "." + name
}

func (g *schemaGen) enqueue(file, name string) (string, error) {
	def := g.defName(file, name)
	if !g.seen[def] {
		g.seen[def] = true
		g.queue = append(g.queue, schemaRef{file, name})
	}
	return "#/definitions/" + def, nil
}

// schemas loads file and returns its components.schemas mapping.
func (g *schemaGen) schemas(file string) (*yaml.Node, error) {
	if n, ok := g.files[file]; ok {
		return n, nil
	}
	b, err := os.ReadFile(filepath.Join(g.dir, filepath.FromSlash(file)))
	if err != nil {
		return nil, err
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 {
		return nil, fmt.Errorf("%s: not one YAML document", file)
	}
	n := mappingValue(mappingValue(doc.Content[0], "components"), "schemas")
	if n == nil {
		return nil, fmt.Errorf("%s: no components.schemas", file)
	}
	g.files[file] = n
	return n, nil
}

// ref resolves a $ref written in file to a definition pointer.
func (g *schemaGen) ref(file, ref string) (string, error) {
	target, frag, ok := strings.Cut(ref, "#")
	const prefix = "/components/schemas/"
	if !ok || !strings.HasPrefix(frag, prefix) || strings.Contains(frag[len(prefix):], "/") {
		return "", fmt.Errorf("unsupported $ref %q", ref)
	}
	if target == "" {
		target = file
	} else {
		target = path.Clean(path.Join(path.Dir(file), target))
	}
	return g.enqueue(target, frag[len(prefix):])
}

var annotations = []string{"description", "title", "example", "default", "externalDocs", "xml", "deprecated", "readOnly", "writeOnly"}

// schema converts one OpenAPI schema object.
func (g *schemaGen) schema(file string, n *yaml.Node) (map[string]any, error) {
	n = resolveAlias(n)
	if n.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("line %d: schema is not a mapping", n.Line)
	}
	if r := mappingValue(n, "$ref"); r != nil {
		ptr, err := g.ref(file, strings.TrimSpace(resolveAlias(r).Value))
		return map[string]any{"$ref": ptr}, err
	}
	out := map[string]any{}
	nullable := false
	var enum *yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		key, val := n.Content[i].Value, resolveAlias(n.Content[i+1])
		var err error
		switch key {
		case "type", "format", "pattern":
			out[key] = val.Value
		case "nullable":
			nullable = val.Value == "true"
		case "enum":
			enum = val
		case "required":
			var names []string
			for _, c := range val.Content {
				names = append(names, resolveAlias(c).Value)
			}
			out[key] = names
		case "properties":
			props := map[string]any{}
			for j := 0; j+1 < len(val.Content); j += 2 {
				if props[val.Content[j].Value], err = g.schema(file, val.Content[j+1]); err != nil {
					return nil, fmt.Errorf("property %s: %w", val.Content[j].Value, err)
				}
			}
			out[key] = props
		case "items", "not":
			out[key], err = g.schema(file, val)
		case "additionalProperties":
			if val.Kind == yaml.ScalarNode {
				out[key] = val.Value == "true"
			} else {
				out[key], err = g.schema(file, val)
			}
		case "allOf", "anyOf", "oneOf":
			var list []any
			for _, c := range val.Content {
				s, err := g.schema(file, c)
				if err != nil {
					return nil, fmt.Errorf("%s: %w", key, err)
				}
				list = append(list, s)
			}
			out[key] = list
		case "minItems", "maxItems", "minLength", "maxLength", "minProperties", "maxProperties":
			v, perr := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(val.Value), ","))
			if perr != nil || v < 0 {
				return nil, fmt.Errorf("line %d: %s is not a count: %q", val.Line, key, val.Value)
			}
			out[key] = v
		case "minimum", "maximum", "multipleOf":
			out[key] = json.Number(val.Value)
		case "exclusiveMinimum", "exclusiveMaximum", "uniqueItems":
			out[key] = val.Value == "true"
		default:
			if !slices.Contains(annotations, key) {
				return nil, fmt.Errorf("line %d: unsupported keyword %q", n.Content[i].Line, key)
			}
		}
		if err != nil {
			return nil, err
		}
	}
	if enum != nil {
		var members []any
		for _, c := range enum.Content {
			v, err := scalar(resolveAlias(c), out["type"] == "string")
			if err != nil {
				return nil, err
			}
			members = append(members, v)
		}
		if nullable {
			members = append(members, nil)
		}
		out["enum"] = members
	}
	if t, ok := out["type"].(string); ok && nullable {
		out["type"] = []string{t, "null"}
	}
	return out, nil
}

// shareArrays replaces each array-of-one-reference subschema under s
// ({"type":"array","items":{"$ref":R}}, how NIEM writes nearly every
// property) with a reference to one shared definition "arrayOf.<R>". A
// $ref validates exactly as its target, so nothing changes but the count
// of subschemas, which the validator compiles in quadratic time.
func (g *schemaGen) shareArrays(s map[string]any) {
	visit := func(v any) any {
		m, ok := v.(map[string]any)
		if !ok {
			return v
		}
		if items, ok := m["items"].(map[string]any); ok && len(m) == 2 && m["type"] == "array" && len(items) == 1 {
			if ref, ok := items["$ref"].(string); ok {
				name := "arrayOf." + strings.TrimPrefix(ref, "#/definitions/")
				g.defs[name] = map[string]any{"type": "array", "items": map[string]any{"$ref": ref}}
				return map[string]any{"$ref": "#/definitions/" + name}
			}
		}
		g.shareArrays(m)
		return m
	}
	for k, v := range s {
		switch k {
		case "items", "not", "additionalProperties":
			s[k] = visit(v)
		case "allOf", "anyOf", "oneOf":
			for i, x := range v.([]any) {
				v.([]any)[i] = visit(x)
			}
		case "properties":
			for name, x := range v.(map[string]any) {
				v.(map[string]any)[name] = visit(x)
			}
		}
	}
}

// scalar converts a YAML scalar to JSON, keeping its text when a string is
// meant.
func scalar(n *yaml.Node, asString bool) (any, error) {
	if n.Kind != yaml.ScalarNode {
		return nil, fmt.Errorf("line %d: enum member is not a scalar", n.Line)
	}
	if asString {
		return n.Value, nil
	}
	switch n.ShortTag() {
	case "!!int", "!!float":
		return json.Number(n.Value), nil
	case "!!bool":
		return n.Value == "true", nil
	case "!!null":
		return nil, nil
	}
	return n.Value, nil
}

func resolveAlias(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n
}

// mappingValue returns the value of key in mapping n, or nil.
func mappingValue(n *yaml.Node, key string) *yaml.Node {
	n = resolveAlias(n)
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

var errNoShared = errors.New("../shared/standards/eido is not beside the repository")

// sharedEIDO returns the directory of the NENA EIDO files CI keeps beside
// the repository.
func sharedEIDO() (string, error) {
	dir := filepath.Join("..", "..", "..", "shared", "standards", "eido")
	if _, err := os.Stat(dir); err != nil {
		return "", errNoShared
	}
	return dir, nil
}
