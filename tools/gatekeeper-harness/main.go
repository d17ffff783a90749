// gatekeeper-harness runs Gatekeeper's own policy engine (the constraint framework's Rego
// driver with the external-data builtin and Gatekeeper's K8sValidationTarget) outside a
// cluster, so the compiled ConstraintTemplate is judged by the real engine, with
// external_data answered over real HTTPS (TLS 1.3, the Provider's caBundle, optional mTLS).
//
// It is wired like Gatekeeper's main.go (setupControllers): the same driver arguments, the
// same provider and response caches, the client certificate through a cert watcher. gator
// cannot be used instead: it never registers external_data.
//
// Protocol: one JSON request per line on stdin, one JSON answer per line on stdout.
//
//	{"op":"setup","templates":[yaml…],"constraints":[yaml…],"providers":[yaml…],
//	 "mutators":[yaml…],"clientCert":{"certFile":…,"keyFile":…},"responseCacheTTLSeconds":180}
//	  → {"ok":true}
//	{"op":"review","now":"RFC 3339","objects":[{"object":{…}|"yaml","now":"RFC 3339","namespace":"ns"}]}
//	  → {"results":[{"violations":[{"constraint","enforcementAction","msg","details"}]}|{"error":…}]}
//	{"op":"mutate","objects":[{"object":{…}|"yaml","namespace":"ns"}]}
//	  → {"results":[{"mutated":bool,"object":{…}}|{"error":…}]}
//
// "mutators" are Assign objects, run by Gatekeeper's mutation system (pkg/mutation) as its
// mutating webhook runs them, external data placeholders resolved through the same
// Provider cache and client certificate as validation (Gatekeeper's main.go shares them).
//
// "now", when given, is what time.now_ns() returns while that object is reviewed: the
// corpus replays decisions at the instant each case was written for. Without it the real
// clock is used. Any problem is an {"error": …} answer naming what was wrong; the process
// never panics on bad input.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync/atomic"
	"time"

	"github.com/open-policy-agent/frameworks/constraint/pkg/apis"
	"github.com/open-policy-agent/frameworks/constraint/pkg/apis/externaldata/unversioned"
	constraintclient "github.com/open-policy-agent/frameworks/constraint/pkg/client"
	"github.com/open-policy-agent/frameworks/constraint/pkg/client/drivers/rego"
	"github.com/open-policy-agent/frameworks/constraint/pkg/client/reviews"
	frameworksexternaldata "github.com/open-policy-agent/frameworks/constraint/pkg/externaldata"
	mutationsunversioned "github.com/open-policy-agent/gatekeeper/v3/apis/mutations/unversioned"
	"github.com/open-policy-agent/gatekeeper/v3/pkg/gator/reader"
	"github.com/open-policy-agent/gatekeeper/v3/pkg/mutation"
	"github.com/open-policy-agent/gatekeeper/v3/pkg/mutation/mutators/assign"
	mutationtypes "github.com/open-policy-agent/gatekeeper/v3/pkg/mutation/types"
	"github.com/open-policy-agent/gatekeeper/v3/pkg/target"
	"github.com/open-policy-agent/gatekeeper/v3/pkg/util"
	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/topdown"
	admissionv1 "k8s.io/api/admission/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/certwatcher"
	"sigs.k8s.io/yaml"
)

// Requests larger than this are refused (the corpus sends thousands of small objects).
const maxLine = 256 << 20

type certFiles struct {
	CertFile string `json:"certFile"`
	KeyFile  string `json:"keyFile"`
}

type objectEntry struct {
	Object    json.RawMessage `json:"object"`
	Now       string          `json:"now,omitempty"`
	Namespace string          `json:"namespace,omitempty"`
	Operation string          `json:"operation,omitempty"`
}

// namespace is the admission request's namespace: the entry's, else the object's, else "default".
func (o objectEntry) namespace(obj *unstructured.Unstructured) string {
	if o.Namespace != "" {
		return o.Namespace
	}
	if ns := obj.GetNamespace(); ns != "" {
		return ns
	}
	return "default"
}

// operation is the admission operation, CREATE unless the entry names another.
func (o objectEntry) operation() admissionv1.Operation {
	if o.Operation != "" {
		return admissionv1.Operation(o.Operation)
	}
	return admissionv1.Create
}

type request struct {
	Op                      string        `json:"op"`
	Templates               []string      `json:"templates"`
	Constraints             []string      `json:"constraints"`
	Providers               []string      `json:"providers"`
	Mutators                []string      `json:"mutators"`
	ClientCert              *certFiles    `json:"clientCert,omitempty"`
	ResponseCacheTTLSeconds *float64      `json:"responseCacheTTLSeconds,omitempty"`
	Now                     string        `json:"now,omitempty"`
	Objects                 []objectEntry `json:"objects"`
}

type violation struct {
	Constraint        string      `json:"constraint"`
	EnforcementAction string      `json:"enforcementAction"`
	Msg               string      `json:"msg"`
	Details           interface{} `json:"details,omitempty"`
}

type result struct {
	Violations []violation `json:"violations"`
	Error      string      `json:"error,omitempty"`
}

type mutateResult struct {
	Mutated bool                   `json:"mutated"`
	Object  map[string]interface{} `json:"object,omitempty"`
	Error   string                 `json:"error,omitempty"`
}

// fixedNow is the time.now_ns() answer in Unix nanoseconds, or 0 for the real clock.
var fixedNow atomic.Int64

var scheme = runtime.NewScheme()

func init() {
	if err := apis.AddToScheme(scheme); err != nil {
		panic(err)
	}
	// OPA looks builtins up by name at evaluation, so this replaces time.now_ns everywhere.
	topdown.RegisterBuiltinFunc(ast.NowNanos.Name, func(bctx topdown.BuiltinContext, _ []*ast.Term, iter func(*ast.Term) error) error {
		if n := fixedNow.Load(); n != 0 {
			return iter(ast.NewTerm(ast.Number(fmt.Sprint(n))))
		}
		return iter(ast.NewTerm(ast.Number(fmt.Sprint(bctx.Time.Value.(ast.Number)))))
	})
}

type harness struct {
	client   *constraintclient.Client
	mutation *mutation.System
	cancel   context.CancelFunc
}

func main() {
	in := bufio.NewReaderSize(os.Stdin, 1<<20)
	out := bufio.NewWriter(os.Stdout)
	var h harness
	for {
		line, err := readLine(in)
		if errors.Is(err, io.EOF) {
			break
		}
		var answer interface{}
		if err != nil {
			answer = map[string]string{"error": err.Error()}
		} else {
			answer = h.handle(line)
		}
		b, err := json.Marshal(answer)
		if err != nil {
			b, _ = json.Marshal(map[string]string{"error": "encoding the answer: " + err.Error()})
		}
		out.Write(b)
		out.WriteByte('\n')
		out.Flush()
	}
	if h.cancel != nil {
		h.cancel()
	}
}

func readLine(in *bufio.Reader) ([]byte, error) {
	var line []byte
	for {
		chunk, isPrefix, err := in.ReadLine()
		if err != nil {
			if len(line) > 0 && errors.Is(err, io.EOF) {
				return line, nil
			}
			return nil, err
		}
		line = append(line, chunk...)
		if len(line) > maxLine {
			// Drain the rest of the line so the next request starts clean.
			for isPrefix {
				_, isPrefix, err = in.ReadLine()
				if err != nil {
					break
				}
			}
			return nil, fmt.Errorf("request line longer than %d bytes", maxLine)
		}
		if !isPrefix {
			return line, nil
		}
	}
}

func (h *harness) handle(line []byte) interface{} {
	var req request
	if err := json.Unmarshal(line, &req); err != nil {
		return map[string]string{"error": "request is not JSON: " + err.Error()}
	}
	switch req.Op {
	case "setup":
		if err := h.setup(&req); err != nil {
			return map[string]string{"error": "setup: " + err.Error()}
		}
		return map[string]bool{"ok": true}
	case "review":
		if h.client == nil {
			return map[string]string{"error": "review before setup"}
		}
		results := make([]result, len(req.Objects))
		for i, o := range req.Objects {
			results[i] = h.review(o, req.Now)
		}
		return map[string]interface{}{"results": results}
	case "mutate":
		if h.mutation == nil {
			return map[string]string{"error": "mutate before a setup with mutators"}
		}
		results := make([]mutateResult, len(req.Objects))
		for i, o := range req.Objects {
			results[i] = h.mutate(o)
		}
		return map[string]interface{}{"results": results}
	default:
		return map[string]string{"error": fmt.Sprintf("unknown op %q (want setup, review or mutate)", req.Op)}
	}
}

// setup builds a fresh client and driver, as Gatekeeper's setupControllers does.
func (h *harness) setup(req *request) error {
	if h.cancel != nil {
		h.cancel()
	}
	ctx, cancel := context.WithCancel(context.Background())
	h.cancel = cancel
	h.client = nil
	h.mutation = nil

	providerCache := frameworksexternaldata.NewCache()
	args := []rego.Arg{rego.Tracing(false), rego.AddExternalDataProviderCache(providerCache)}
	ttl := 180.0 // Gatekeeper's default --external-data-provider-response-cache-ttl (3m)
	if req.ResponseCacheTTLSeconds != nil {
		ttl = *req.ResponseCacheTTLSeconds
	}
	if ttl < 0 {
		return fmt.Errorf("responseCacheTTLSeconds must be >= 0, got %v", ttl)
	}
	if ttl > 0 {
		args = append(args, rego.AddExternalDataProviderResponseCache(
			frameworksexternaldata.NewProviderResponseCache(ctx, time.Duration(ttl*float64(time.Second)))))
	}
	mutationOpts := mutation.SystemOpts{ProviderCache: providerCache}
	if req.ClientCert != nil {
		watcher, err := certwatcher.New(req.ClientCert.CertFile, req.ClientCert.KeyFile)
		if err != nil {
			return fmt.Errorf("client certificate: %w", err)
		}
		args = append(args, rego.EnableExternalDataClientAuth(), rego.AddExternalDataClientCertWatcher(watcher))
		mutationOpts.ClientCertWatcher = watcher
	}
	driver, err := rego.New(args...)
	if err != nil {
		return fmt.Errorf("creating the Rego driver: %w", err)
	}
	client, err := constraintclient.NewClient(
		constraintclient.Targets(&target.K8sValidationTarget{}),
		constraintclient.Driver(driver),
		constraintclient.EnforcementPoints(util.WebhookEnforcementPoint),
	)
	if err != nil {
		return fmt.Errorf("creating the constraint client: %w", err)
	}

	for i, text := range req.Providers {
		objs, err := reader.ReadUnstructureds([]byte(text))
		if err != nil {
			return fmt.Errorf("providers[%d]: %w", i, err)
		}
		for _, obj := range objs {
			p, err := toProvider(obj)
			if err != nil {
				return fmt.Errorf("providers[%d]: %w", i, err)
			}
			if err := providerCache.Upsert(p); err != nil {
				return fmt.Errorf("providers[%d] %q: %w", i, p.Name, err)
			}
		}
	}
	for i, text := range req.Templates {
		objs, err := reader.ReadUnstructureds([]byte(text))
		if err != nil {
			return fmt.Errorf("templates[%d]: %w", i, err)
		}
		for _, obj := range objs {
			templ, err := reader.ToTemplate(scheme, obj)
			if err != nil {
				return fmt.Errorf("templates[%d] %q: %w", i, obj.GetName(), err)
			}
			if _, err := client.AddTemplate(ctx, templ); err != nil {
				return fmt.Errorf("templates[%d] %q: %w%s", i, obj.GetName(), err, regoDetails(err))
			}
		}
	}
	for i, text := range req.Constraints {
		objs, err := reader.ReadUnstructureds([]byte(text))
		if err != nil {
			return fmt.Errorf("constraints[%d]: %w", i, err)
		}
		for _, obj := range objs {
			if _, err := client.AddConstraint(ctx, obj); err != nil {
				return fmt.Errorf("constraints[%d] %q: %w", i, obj.GetName(), err)
			}
		}
	}
	if len(req.Mutators) > 0 {
		system := mutation.NewSystem(mutationOpts)
		for i, text := range req.Mutators {
			objs, err := reader.ReadUnstructureds([]byte(text))
			if err != nil {
				return fmt.Errorf("mutators[%d]: %w", i, err)
			}
			for _, obj := range objs {
				if err := upsertMutator(system, obj); err != nil {
					return fmt.Errorf("mutators[%d] %q: %w", i, obj.GetName(), err)
				}
			}
		}
		h.mutation = system
	}
	h.client = client
	return nil
}

// upsertMutator adds an Assign to the mutation system, converted as gator's expander does.
func upsertMutator(system *mutation.System, obj *unstructured.Unstructured) error {
	if obj.GetKind() != "Assign" {
		return fmt.Errorf("is a %s; only Assign mutators are supported", obj.GetKind())
	}
	a := &mutationsunversioned.Assign{}
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(obj.UnstructuredContent(), a); err != nil {
		return err
	}
	m, err := assign.MutatorForAssign(a)
	if err != nil {
		return err
	}
	return system.Upsert(m)
}

// mutate runs the mutation system on one object as Gatekeeper's mutating webhook does
// (pkg/webhook/mutation.go): the request's namespace set on the object, an Original
// source, CREATE; the object comes back as the patch would leave it.
func (h *harness) mutate(o objectEntry) mutateResult {
	obj, err := readObject(o.Object)
	if err != nil {
		return mutateResult{Error: err.Error()}
	}
	ns := o.namespace(obj)
	oldNS := obj.GetNamespace()
	obj.SetNamespace(ns)
	mutable := &mutationtypes.Mutable{
		Object:    obj,
		Namespace: &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}},
		Source:    mutationtypes.SourceTypeOriginal,
		Operation: o.operation(),
	}
	mutated, err := h.mutation.Mutate(context.Background(), mutable)
	if err != nil {
		return mutateResult{Error: "mutate: " + err.Error()}
	}
	mutable.Object.SetNamespace(oldNS)
	return mutateResult{Mutated: mutated, Object: mutable.Object.Object}
}

// toProvider reads an externaldata.gatekeeper.sh Provider object into the framework's type.
func toProvider(obj *unstructured.Unstructured) (*unversioned.Provider, error) {
	if obj.GetKind() != "Provider" {
		return nil, fmt.Errorf("%q is a %s, not a Provider", obj.GetName(), obj.GetKind())
	}
	spec, _, err := unstructured.NestedMap(obj.Object, "spec")
	if err != nil {
		return nil, fmt.Errorf("%q spec: %w", obj.GetName(), err)
	}
	b, err := json.Marshal(spec)
	if err != nil {
		return nil, err
	}
	p := &unversioned.Provider{ObjectMeta: metav1.ObjectMeta{Name: obj.GetName()}}
	if err := json.Unmarshal(b, &p.Spec); err != nil {
		return nil, fmt.Errorf("%q spec: %w", obj.GetName(), err)
	}
	return p, nil
}

// review admits one object as Gatekeeper's validating webhook does (an AdmissionRequest
// reviewed at the webhook enforcement point).
func (h *harness) review(o objectEntry, defaultNow string) result {
	obj, err := readObject(o.Object)
	if err != nil {
		return result{Error: err.Error()}
	}
	now := o.Now
	if now == "" {
		now = defaultNow
	}
	if now != "" {
		t, err := time.Parse(time.RFC3339Nano, now)
		if err != nil {
			return result{Error: fmt.Sprintf("now %q is not RFC 3339: %v", now, err)}
		}
		fixedNow.Store(t.UnixNano())
		defer fixedNow.Store(0)
	}
	raw, err := obj.MarshalJSON()
	if err != nil {
		return result{Error: err.Error()}
	}
	ns := o.namespace(obj)
	obj.SetNamespace(ns)
	op := o.operation()
	gvk := obj.GroupVersionKind()
	req := &admissionv1.AdmissionRequest{
		UID:       "atcr-conformance",
		Kind:      metav1.GroupVersionKind{Group: gvk.Group, Version: gvk.Version, Kind: gvk.Kind},
		Name:      obj.GetName(),
		Namespace: ns,
		Operation: op,
		Object:    runtime.RawExtension{Raw: raw},
	}
	review := &target.AugmentedReview{
		AdmissionRequest: req,
		Namespace:        &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}},
		IsAdmission:      true,
	}
	resp, err := h.client.Review(context.Background(), review, reviews.EnforcementPoint(util.WebhookEnforcementPoint))
	if err != nil {
		return result{Error: "review: " + err.Error()}
	}
	res := result{Violations: []violation{}}
	for _, r := range resp.Results() {
		v := violation{Msg: r.Msg, EnforcementAction: r.EnforcementAction}
		if r.Constraint != nil {
			v.Constraint = r.Constraint.GetName()
		}
		if r.Metadata != nil {
			v.Details = r.Metadata["details"]
		}
		res.Violations = append(res.Violations, v)
	}
	return res
}

// regoDetails spells out what OPA's compile errors carry beyond their one-line text (a
// type error's "match error" names the types only in its details).
func regoDetails(err error) string {
	var errs ast.Errors
	if !errors.As(err, &errs) {
		return ""
	}
	var b strings.Builder
	for _, e := range errs {
		if e.Details != nil {
			b.WriteString("\n" + e.Error() + "\n" + strings.Join(e.Details.Lines(), "\n"))
		}
	}
	return b.String()
}

func readObject(raw json.RawMessage) (*unstructured.Unstructured, error) {
	if len(raw) == 0 {
		return nil, errors.New("object missing")
	}
	var text string
	if raw[0] == '"' {
		if err := json.Unmarshal(raw, &text); err != nil {
			return nil, err
		}
		b, err := yaml.YAMLToJSON([]byte(text))
		if err != nil {
			return nil, fmt.Errorf("object YAML: %w", err)
		}
		raw = b
	}
	obj := &unstructured.Unstructured{}
	if err := obj.UnmarshalJSON(raw); err != nil {
		return nil, fmt.Errorf("object: %w", err)
	}
	return obj, nil
}
