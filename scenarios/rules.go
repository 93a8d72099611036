package scenarios

import (
	"errors"
	"fmt"
	"net/http"
	"path"
	"regexp"
	"regexp/syntax"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// compiler turns a schema-valid tree into a Script, reporting semantic
// errors (durations, regexps, op names, ranges) with positions.
type compiler struct {
	file string
}

func (c *compiler) errAt(n *yaml.Node, want, got string) *Error {
	return &Error{File: c.file, Line: n.Line, Column: n.Column, Want: want, Got: got}
}

// pairs calls fn for each key/value of a mapping node, stopping at the first error.
func pairs(m *yaml.Node, fn func(key string, k, v *yaml.Node) *Error) *Error {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if err := fn(m.Content[i].Value, m.Content[i], m.Content[i+1]); err != nil {
			return err
		}
	}
	return nil
}

func compileScript(file string, root *yaml.Node) (*Script, *Error) {
	c := &compiler{file: file}
	s := &Script{File: file}
	err := pairs(root, func(key string, k, v *yaml.Node) *Error {
		switch key {
		case "name":
			s.Name = v.Value
			s.nameLine, s.nameColumn = v.Line, v.Column
		case "description":
			s.Description = v.Value
		case "contract":
			if err := v.Decode(&s.Contract); err != nil {
				return c.errAt(v, "true or false", describeNode(v))
			}
		case "rules":
			s.rules = make([]rule, 0, len(v.Content))
			for _, rn := range v.Content {
				r, err := c.rule(rn)
				if err != nil {
					return err
				}
				s.rules = append(s.rules, r)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return s, nil
}

func (c *compiler) rule(n *yaml.Node) (rule, *Error) {
	var r rule
	err := pairs(n, func(key string, k, v *yaml.Node) *Error {
		switch key {
		case "name":
			r.name = v.Value
		case "stop":
			if err := v.Decode(&r.stop); err != nil {
				return c.errAt(v, "true or false", describeNode(v))
			}
		case "when":
			return c.when(v, &r)
		case "then":
			return c.then(v, &r)
		}
		return nil
	})
	return r, err
}

// worldVariants are the names the world effect takes: how servers look
// in the account's resources (the world package applies them), and two
// rules of Plex Home and server claim (the mock applies them).
var worldVariants = []string{"offline", "relay-only", "https-required", "no-connections", "sections-missing", "home-pin-enforced", "claim-expired"}

// allOps lists every op a rule may name, in documentation order.
var allOps = []Op{OpCreate, OpPoll, OpLink, OpClaim, OpUser, OpPing, OpQR, OpOptions, OpOther, OpJWK, OpNonce, OpToken, OpKeys}

// opList is allOps for error messages: "create, poll, ...".
var opList = func() string {
	names := make([]string, len(allOps))
	for i, o := range allOps {
		names[i] = string(o)
	}
	return strings.Join(names, ", ")
}()

func opBit(o Op) uint16 {
	for i, x := range allOps {
		if x == o {
			return 1 << i
		}
	}
	return 0
}

var methodName = regexp.MustCompile(`^[A-Za-z]+$`)

func (c *compiler) when(n *yaml.Node, r *rule) *Error {
	return pairs(n, func(key string, k, v *yaml.Node) *Error {
		switch key {
		case "op":
			for _, s := range stringsOf(v) {
				b := opBit(Op(s.Value))
				if b == 0 {
					return c.errAt(s, "an op: one of "+opList, describeNode(s))
				}
				r.ops |= b
			}
		case "polls":
			r.needPin = true
			return c.count(v, &r.polls)
		case "client_tokens":
			return c.count(v, &r.tokens)
		case "jwk_pin":
			var b bool
			if err := v.Decode(&b); err != nil {
				return c.errAt(v, "true or false", describeNode(v))
			}
			r.needPin = true
			r.jwkPin = -1
			if b {
				r.jwkPin = 1
			}
		case "device_jwt":
			for _, s := range stringsOf(v) {
				st, ok := jwtStateNamed(s.Value)
				if !ok {
					return c.errAt(s, "a device JWT state: one of absent, invalid, valid", describeNode(s))
				}
				r.deviceJWT |= 1 << st
			}
		case "after", "before":
			d, err := c.duration(v, false)
			if err != nil {
				return err
			}
			r.needPin = true
			if key == "after" {
				r.after, r.hasAfter = d, true
			} else {
				if d == 0 {
					return c.errAt(v, "a positive duration such as 30s (before: 0s never matches)", describeNode(v))
				}
				r.before, r.hasBefore = d, true
			}
		case "claimed":
			var b bool
			if err := v.Decode(&b); err != nil {
				return c.errAt(v, "true or false", describeNode(v))
			}
			r.needPin = true
			r.claimed = -1
			if b {
				r.claimed = 1
			}
		case "method":
			for _, s := range stringsOf(v) {
				if !methodName.MatchString(s.Value) {
					return c.errAt(s, "an HTTP method such as GET", describeNode(s))
				}
				r.methods = append(r.methods, strings.ToUpper(s.Value))
			}
		case "path":
			if _, err := path.Match(v.Value, ""); err != nil {
				return c.errAt(v, "a path glob such as /api/v2/pins/* (path.Match syntax)", describeNode(v)+": "+err.Error())
			}
			r.pathGlob, r.hasGlob = v.Value, true
		case "path_regex":
			re, err := regexp.Compile(v.Value)
			if err != nil {
				reason := err.Error()
				var se *syntax.Error
				if errors.As(err, &se) {
					reason = se.Code.String()
				}
				return c.errAt(v, "a regular expression string (RE2 syntax)", describeNode(v)+": "+reason)
			}
			r.pathRe = re
		case "header":
			return pairs(v, func(name string, hk, hv *yaml.Node) *Error {
				r.headers = append(r.headers, headerMatch{name: http.CanonicalHeaderKey(name), pattern: hv.Value})
				return nil
			})
		case "faster_than":
			d, err := c.duration(v, true)
			if err != nil {
				return err
			}
			r.fasterThan = d
		case "fraction":
			var f float64
			if err := v.Decode(&f); err != nil || !(f > 0 && f <= 1) {
				return c.errAt(v, "a fraction greater than 0 and at most 1, such as 0.3", describeNode(v))
			}
			r.fraction = f
		}
		return nil
	})
}

// stringsOf returns the string nodes of a string-or-list value.
func stringsOf(v *yaml.Node) []*yaml.Node {
	if v.Kind == yaml.SequenceNode {
		return v.Content
	}
	return []*yaml.Node{v}
}

// jwtStateNamed returns the JWTState a scenario file calls name.
func jwtStateNamed(name string) (JWTState, bool) {
	for i, n := range jwtStateNames {
		if n == name {
			return JWTState(i), true
		}
	}
	return 0, false
}

// count reads a count trigger (polls, client_tokens): an integer, or a
// mapping of eq, gte, lte, every.
func (c *compiler) count(v *yaml.Node, cc *countCond) *Error {
	if v.Kind == yaml.ScalarNode {
		n, err := c.integer(v)
		if err != nil {
			return err
		}
		cc.eq, cc.hasEq = int(n), true
		return nil
	}
	err := pairs(v, func(key string, k, x *yaml.Node) *Error {
		n, err := c.integer(x)
		if err != nil {
			return err
		}
		switch key {
		case "eq":
			cc.eq, cc.hasEq = int(n), true
		case "gte":
			cc.gte, cc.hasGte = int(n), true
		case "lte":
			cc.lte, cc.hasLte = int(n), true
		case "every":
			cc.every = int(n)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if cc.hasGte && cc.hasLte && cc.gte > cc.lte {
		return c.errAt(v, "gte no greater than lte", fmt.Sprintf("gte %d, lte %d", cc.gte, cc.lte))
	}
	return nil
}

func (c *compiler) integer(v *yaml.Node) (int64, *Error) {
	var n int64
	if err := v.Decode(&n); err != nil {
		return 0, c.errAt(v, "an integer that fits in 64 bits", describeNode(v))
	}
	return n, nil
}

// duration parses a Go duration; positive requires > 0, otherwise >= 0.
func (c *compiler) duration(v *yaml.Node, positive bool) (time.Duration, *Error) {
	if v.Kind != yaml.ScalarNode {
		return 0, c.errAt(v, "a duration such as 200ms, 30s or 1m30s", describeNode(v))
	}
	d, err := time.ParseDuration(v.Value)
	if err != nil {
		return 0, c.errAt(v, "a duration such as 200ms, 30s or 1m30s", describeNode(v))
	}
	switch {
	case positive && d <= 0:
		return 0, c.errAt(v, "a positive duration such as 1s", describeNode(v))
	case d < 0:
		return 0, c.errAt(v, "a non-negative duration such as 30s", describeNode(v))
	}
	return d, nil
}

func (c *compiler) then(n *yaml.Node, r *rule) *Error {
	return pairs(n, func(key string, k, v *yaml.Node) *Error {
		switch key {
		case "approve":
			a := &Approval{}
			err := pairs(v, func(key string, _, x *yaml.Node) *Error {
				switch key {
				case "account":
					a.Account = x.Value
				case "new_registration":
					if err := x.Decode(&a.NewRegistration); err != nil {
						return c.errAt(x, "true or false", describeNode(x))
					}
				}
				return nil
			})
			if err != nil {
				return err
			}
			r.approve = a
		case "deny":
			r.deny = true
		case "expire":
			r.expire = true
		case "expire_after_response":
			r.expireAfterResponse = true
		case "expire_in":
			d, err := c.duration(v, true)
			if err != nil {
				return err
			}
			r.expireIn = d
		case "set":
			return c.set(v, r)
		case "respond":
			return c.respond(v, r)
		case "delay":
			return c.delay(v, r)
		case "fault":
			r.fault = Fault(v.Value)
		case "cors":
			var b bool
			if err := v.Decode(&b); err != nil {
				return c.errAt(v, "true or false", describeNode(v))
			}
			r.cors = &b
		case "rotate_keys":
			r.rotateKeys = true
		case "deprecated":
			r.deprecated = true
		case "world":
			for _, x := range stringsOf(v) {
				if !slices.Contains(worldVariants, x.Value) {
					return c.errAt(x, "a world variant: one of "+strings.Join(worldVariants, ", "), describeNode(x))
				}
				if !slices.Contains(r.world, x.Value) {
					r.world = append(r.world, x.Value)
				}
			}
		case "token_lifetime":
			d, err := c.duration(v, true)
			if err != nil {
				return err
			}
			r.tokenLifetime = d
		}
		return nil
	})
}

func (c *compiler) set(v *yaml.Node, r *rule) *Error {
	s := &setSpec{consts: map[string]any{}}
	err := pairs(v, func(field string, _, x *yaml.Node) *Error {
		switch {
		case x.Kind == yaml.MappingNode: // {min, max} on an integer field
			var lo, hi int64
			if err := x.Decode(&struct {
				Min *int64 `yaml:"min"`
				Max *int64 `yaml:"max"`
			}{&lo, &hi}); err != nil {
				return c.errAt(x, "a mapping with min and max integers", describeNode(x))
			}
			if lo > hi {
				return c.errAt(x, "min no greater than max", fmt.Sprintf("min %d, max %d", lo, hi))
			}
			s.ranges = append(s.ranges, intRange{field: field, min: lo, max: hi})
		case x.ShortTag() == "!!null":
			s.consts[field] = nil
		case x.ShortTag() == "!!int":
			var n int64
			if err := x.Decode(&n); err != nil {
				return c.errAt(x, "an integer", describeNode(x))
			}
			s.consts[field] = n
		case x.ShortTag() == "!!bool":
			var b bool
			if err := x.Decode(&b); err != nil {
				return c.errAt(x, "true or false", describeNode(x))
			}
			s.consts[field] = b
		default:
			if field == "createdAt" || field == "expiresAt" {
				if _, err := time.Parse(time.RFC3339, x.Value); err != nil {
					return c.errAt(x, "an RFC 3339 date string such as 2026-10-01T22:39:52Z", describeNode(x))
				}
			}
			s.consts[field] = x.Value
		}
		return nil
	})
	if err != nil {
		return err
	}
	r.set = s
	return nil
}

func (c *compiler) respond(v *yaml.Node, r *rule) *Error {
	resp := &Response{}
	err := pairs(v, func(key string, _, x *yaml.Node) *Error {
		switch key {
		case "status", "code":
			n, err := c.integer(x)
			if err != nil {
				return err
			}
			if key == "status" {
				resp.Status = int(n)
			} else {
				resp.Code = int(n)
			}
		case "message":
			resp.Message = x.Value
		case "retry_after":
			d, err := c.duration(x, true)
			if err != nil {
				return err
			}
			if d%time.Second != 0 {
				return c.errAt(x, "a whole number of seconds such as 1s or 30s (Retry-After has no fractions)", describeNode(x))
			}
			resp.RetryAfter = d
		case "header":
			resp.Header = make(map[string]string, len(x.Content)/2)
			return pairs(x, func(name string, _, hv *yaml.Node) *Error {
				resp.Header[http.CanonicalHeaderKey(name)] = hv.Value
				return nil
			})
		}
		return nil
	})
	if err != nil {
		return err
	}
	r.respond = resp
	return nil
}

func (c *compiler) delay(v *yaml.Node, r *rule) *Error {
	if v.Kind == yaml.ScalarNode {
		d, err := c.duration(v, false)
		if err != nil {
			return err
		}
		r.delay = &delaySpec{kind: delayFixed, fixed: d}
		return nil
	}
	ds := &delaySpec{}
	var maxNode, minNode *yaml.Node
	err := pairs(v, func(kind string, _, spec *yaml.Node) *Error {
		if kind == "uniform" {
			ds.kind = delayUniform
		} else {
			ds.kind = delayLognormal
		}
		return pairs(spec, func(key string, _, x *yaml.Node) *Error {
			if key == "sigma" {
				if err := x.Decode(&ds.sigma); err != nil {
					return c.errAt(x, "a non-negative number such as 0.5", describeNode(x))
				}
				return nil
			}
			d, err := c.duration(x, key == "median")
			if err != nil {
				return err
			}
			switch key {
			case "min":
				ds.min, minNode = d, x
			case "max":
				ds.max, maxNode = d, x
			case "median":
				ds.median = d
			}
			return nil
		})
	})
	if err != nil {
		return err
	}
	switch ds.kind {
	case delayUniform:
		if ds.min > ds.max {
			return c.errAt(minNode, "min no greater than max", fmt.Sprintf("min %s, max %s", ds.min, ds.max))
		}
	case delayLognormal:
		if ds.max < ds.median {
			return c.errAt(maxNode, "max no less than median (max caps the delay)", fmt.Sprintf("max %s, median %s", ds.max, ds.median))
		}
	}
	r.delay = ds
	return nil
}
