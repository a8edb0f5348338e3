package referral

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"

	"github.com/bluelamp/bluelamp"
)

// Outbox is the store side of delivery: claim due deliveries, record how
// each attempt went.
type Outbox interface {
	ClaimDeliveries(ctx context.Context, limit int, lease time.Duration) ([]*bluelamp.DeliveryJob, error)
	RecordDelivery(ctx context.Context, job *bluelamp.DeliveryJob, o bluelamp.DeliveryOutcome) error
}

// Deliverer works the outbox: it claims due deliveries, sends each by its
// method, and records the outcome, retrying failures with exponential
// backoff and jitter until MaxAttempts, then giving up (FAILED). Several
// nodes may run one each: a claim is a lease, so each delivery is sent by
// one node at a time, and a node that dies mid-send leaves it to another
// once its lease runs out. Delivery is at least once; the delivery id
// sent with each message lets a receiver drop a repeat.
type Deliverer struct {
	Store  Outbox
	Client *http.Client // for webhooks; it must not follow redirects
	SMTP   *SMTP        // for email; nil fails email deliveries (they are retried, then FAILED)
	Logger *slog.Logger
	Now    func() time.Time

	Interval    time.Duration // how often the outbox is polled when not woken
	Lease       time.Duration // how long a claim holds; longer than Timeout
	Batch       int           // deliveries claimed at a time
	Workers     int           // deliveries sent at once
	Timeout     time.Duration // bound on one send
	MaxAttempts int
	BaseDelay   time.Duration // the wait after the first failure; doubled after each
	MaxDelay    time.Duration
	Jitter      func() float64 // in [0, 1); math/rand when nil

	wake   chan struct{}
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// NewDeliverer returns a Deliverer on store with defaults set: every 2 s,
// 8 attempts over up to an hour (waits of 30 s, 1 min, 2 min … 32 min, each
// jittered; a wait is never over 1 h).
func NewDeliverer(store Outbox) *Deliverer {
	return &Deliverer{
		Store:       store,
		Client:      &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }},
		Logger:      slog.Default(),
		Now:         time.Now,
		Interval:    2 * time.Second,
		Lease:       2 * time.Minute,
		Batch:       32,
		Workers:     4,
		Timeout:     30 * time.Second,
		MaxAttempts: 8,
		BaseDelay:   30 * time.Second,
		MaxDelay:    time.Hour,
	}
}

// Open checks the settings and starts the loop.
func (d *Deliverer) Open() error {
	if d.Store == nil || d.Client == nil || d.Interval <= 0 || d.Batch <= 0 || d.Workers <= 0 || d.Timeout <= 0 ||
		d.Lease <= d.Timeout || d.MaxAttempts <= 0 || d.BaseDelay <= 0 || d.MaxDelay < d.BaseDelay {
		return errors.New("referral deliverer: incomplete settings")
	}
	d.wake = make(chan struct{}, 1)
	ctx, cancel := context.WithCancel(context.Background())
	d.cancel = cancel
	d.wg.Go(func() { d.loop(ctx) })
	return nil
}

// Close stops the loop and waits for sends in flight; a delivery cut off
// is sent again when its lease runs out.
func (d *Deliverer) Close() error {
	if d.cancel != nil {
		d.cancel()
	}
	d.wg.Wait()
	return nil
}

// Notify wakes the loop, so a new referral goes now rather than at the
// next poll. It never blocks.
func (d *Deliverer) Notify() {
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

func (d *Deliverer) loop(ctx context.Context) {
	tick := time.NewTicker(d.Interval)
	defer tick.Stop()
	for {
		for {
			n, err := d.RunOnce(ctx)
			if err != nil && ctx.Err() == nil {
				d.Logger.Warn("referral outbox not worked", "err", err)
			}
			if err != nil || n < d.Batch {
				break // a full batch may have more behind it
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		case <-d.wake:
		}
	}
}

// RunOnce claims one batch of due deliveries, sends them, records each
// outcome, and returns how many it claimed.
func (d *Deliverer) RunOnce(ctx context.Context) (int, error) {
	jobs, err := d.Store.ClaimDeliveries(bluelamp.SystemContext(ctx, "", "referral-deliverer"), d.Batch, d.Lease)
	if err != nil {
		return 0, fmt.Errorf("claim deliveries: %w", err)
	}
	sem := make(chan struct{}, d.Workers)
	var wg sync.WaitGroup
	for _, job := range jobs {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			d.deliver(ctx, job)
		})
	}
	wg.Wait()
	return len(jobs), nil
}

// deliver sends one job and records how it went.
func (d *Deliverer) deliver(ctx context.Context, job *bluelamp.DeliveryJob) {
	sctx, cancel := context.WithTimeout(ctx, d.Timeout)
	msg := NewMessage(job)
	var o bluelamp.DeliveryOutcome
	var err error
	switch job.Method {
	case bluelamp.DeliverByWebhook:
		o.Ack, err = d.post(sctx, job, msg)
	case bluelamp.DeliverByEmail:
		if d.SMTP == nil {
			err = errors.New("no SMTP server is configured (--smtp-addr)")
		} else {
			err = d.SMTP.Send(sctx, job.Target, msg)
		}
	default:
		err = fmt.Errorf("unknown delivery method %s", job.Method)
	}
	cancel()
	if ctx.Err() != nil {
		return // shutting down: the lease runs out and the delivery is sent again
	}
	attempt := job.Attempts + 1
	if err == nil {
		o.OK = true
	} else {
		o.Error = err.Error()
		if attempt < d.MaxAttempts {
			o.Retry = new(d.Now().Add(d.Backoff(attempt)))
		}
	}
	log := d.Logger.With("referral", job.Referral.Reference, "delivery", job.ID, "method", job.Method, "attempt", attempt)
	if err := d.Store.RecordDelivery(bluelamp.SystemContext(ctx, job.ForceID, "referral-deliverer"), job, o); err != nil {
		log.Warn("referral delivery outcome not recorded; it will be sent again", "err", err)
		return
	}
	switch {
	case o.OK:
		log.Info("referral delivered")
	case o.Retry != nil:
		log.Warn("referral delivery failed; will retry", "err", o.Error, "retry_at", *o.Retry)
	default:
		log.Error("referral delivery failed; giving up", "err", o.Error)
	}
}

// Backoff returns the wait after the attempt-th failure: BaseDelay doubled
// for each earlier failure, capped at MaxDelay, then jittered to between a
// half and the whole of it, so deliveries that failed together do not
// retry together.
func (d *Deliverer) Backoff(attempt int) time.Duration {
	delay := d.MaxDelay
	if attempt-1 < 32 {
		delay = min(d.MaxDelay, d.BaseDelay<<(attempt-1))
		if delay <= 0 {
			delay = d.MaxDelay
		}
	}
	j := d.Jitter
	if j == nil {
		j = rand.Float64
	}
	return delay/2 + time.Duration(j()*float64(delay/2))
}

// post sends msg to the job's webhook, signed. A 2xx answer is delivery;
// its body may carry the partner's acknowledgement.
func (d *Deliverer) post(ctx context.Context, job *bluelamp.DeliveryJob, msg Message) (*bluelamp.ReferralAck, error) {
	body, err := json.Marshal(msg)
	if err != nil {
		return nil, fmt.Errorf("encode referral: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, job.Target, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("webhook request: %w", err)
	}
	now := d.Now()
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "bluelamp-referrals")
	req.Header.Set(HeaderTimestamp, strconv.FormatInt(now.Unix(), 10))
	req.Header.Set(HeaderSignature, Sign([]byte(job.Secret), now, body))
	req.Header.Set(HeaderDelivery, strconv.FormatInt(int64(job.ID), 10))
	res, err := d.Client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("POST to the webhook: %w", unwrapURL(err))
	}
	defer res.Body.Close()
	if res.StatusCode < 200 || res.StatusCode > 299 {
		_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, maxAnswer))
		return nil, fmt.Errorf("the webhook answered HTTP %s", res.Status)
	}
	ack, err := ParseAnswer(res.Header.Get("Content-Type"), res.Body)
	if err != nil {
		// Delivered all the same: only the acknowledgement is dropped.
		d.Logger.Warn("webhook acknowledgement not understood", "referral", job.Referral.Reference, "err", err)
		return nil, nil
	}
	return ack, nil
}

// unwrapURL drops the *url.Error wrapping, whose text repeats the URL.
func unwrapURL(err error) error {
	if ue, ok := errors.AsType[*url.Error](err); ok {
		return ue.Err
	}
	return err
}
