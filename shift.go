package bluelamp

import "context"

// Event types of officers' shifts.
const (
	EventUnitBookedOn  EventType = "unit.booked_on"
	EventUnitBookedOff EventType = "unit.booked_off"
)

func init() {
	registerEventTypes(map[EventType]EventTypeInfo{
		EventUnitBookedOn:  {Audience: operations},
		EventUnitBookedOff: {Audience: operations},
	})
}

// ShiftStore books officers on to units for their shift. The officer is the
// signed-in user; their collar number is how a crew names them.
type ShiftStore interface {
	// BookOn books the officer on to a unit of their force, with the
	// shift's call sign, crew and skills (nil fields are left alone). The
	// officer joins the crew; a unit that was off duty becomes available.
	// An officer booked on to another unit leaves it first. KindInvalid if
	// the user has no collar number.
	BookOn(ctx context.Context, unit UnitID, upd UnitUpdate) (*Unit, error)
	// BookOff takes the officer off their unit. The last officer off takes
	// the unit off duty, which is refused while it has a job.
	BookOff(ctx context.Context) (*Unit, error)
	// FindBooking returns the unit the officer is booked on to;
	// KindNotFound when they are not booked on.
	FindBooking(ctx context.Context) (*Unit, error)
}
