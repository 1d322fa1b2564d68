/*
  Times in staff forms are typed on the wall clock of the record's zone
  (tracker/staff/local_times.py). While a time is typed, this says which UTC
  instant it will be stored as, and names the zone chosen above beside each
  time; without it, the "Show in UTC" button asks the server the same.

  Django's "You are N hours ahead of server time" note compares the browser's
  clock with the server's, which says nothing about the zone a time is typed
  in: it is not shown, and "Now" gives the time now on the form's zone's clock.
*/
'use strict';
{
    const ZONE_SELECT = 'time_zone';

    // Runs before DateTimeShortcuts.init (on load): without the server's offset, no note.
    document.addEventListener('DOMContentLoaded', () => {
        delete document.body.dataset.adminUtcOffset;
    });

    const pad = (n) => String(n).padStart(2, '0');

    function wallClock(utcMs, zone) {
        const parts = {};
        const format = new Intl.DateTimeFormat('en-GB', {
            timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric',
            day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
        });
        for (const part of format.formatToParts(new Date(utcMs))) {
            parts[part.type] = Number(part.value);
        }
        return parts;
    }

    function offsetMs(utcMs, zone) {
        const p = wallClock(utcMs, zone);
        return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - utcMs
            + (utcMs % 1000);
    }

    function toUtc(wallMs, zone) {
        // The offset in force just before the wall time, as the server reads a skipped time.
        const first = wallMs - offsetMs(wallMs, zone);
        return wallMs - offsetMs(first, zone);
    }

    function offsetText(zone) {
        const minutes = Math.round(offsetMs(Date.now(), zone) / 60000);
        if (minutes === 0) {
            return 'UTC';
        }
        const sign = minutes < 0 ? '-' : '+';
        const whole = Math.abs(minutes);
        return `UTC${sign}${pad(Math.floor(whole / 60))}:${pad(whole % 60)}`;
    }

    function zoneOf(form) {
        const select = form.querySelector(`select[name$="${ZONE_SELECT}"]`);
        return select && select.value ? select.value : null;
    }

    function describe(output, zone) {
        const date = document.getElementById(`${output.dataset.for}_0`);
        const time = document.getElementById(`${output.dataset.for}_1`);
        const d = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec((date && date.value || '').trim());
        const t = /^(\d{1,2}):(\d{2})(?::(\d{2}))?$/.exec((time && time.value || '').trim());
        if (!d || !t || !zone) {
            return '';
        }
        const wall = Date.UTC(+d[1], +d[2] - 1, +d[3], +t[1], +t[2]);
        if (Number.isNaN(wall)) {
            return '';
        }
        const utc = new Date(toUtc(wall, zone));
        const shown = `${utc.getUTCFullYear()}-${pad(utc.getUTCMonth() + 1)}-`
            + `${pad(utc.getUTCDate())} ${pad(utc.getUTCHours())}:${pad(utc.getUTCMinutes())}`;
        return `will be stored as ${shown} UTC`;
    }

    function update(form) {
        const zone = zoneOf(form);
        for (const line of form.querySelectorAll('.local-time')) {
            if (zone) {
                line.querySelector('.local-time-zone').textContent = zone;
                line.querySelector('.local-time-offset').textContent = offsetText(zone);
            }
            const output = line.querySelector('.local-time-utc');
            output.textContent = describe(output, zone);
        }
    }

    function watch(form) {
        const again = () => update(form);
        form.addEventListener('input', again);
        form.addEventListener('change', again);
        // Select2 and the calendar's shortcuts change values through jQuery or by script.
        if (window.django && window.django.jQuery) {
            window.django.jQuery(form).on('change select2:select', again);
        }
        form.addEventListener('click', () => window.setTimeout(again, 0));
    }

    window.addEventListener('load', () => {
        const forms = new Set();
        for (const line of document.querySelectorAll('.local-time')) {
            forms.add(line.closest('form'));
        }
        for (const form of forms) {
            if (form) {
                watch(form);
                update(form);
            }
        }
        if (window.DateTimeShortcuts && forms.size) {
            const form = [...forms][0];
            // "Now" is now on the clock of the zone the form's times are typed in.
            window.DateTimeShortcuts.now = () => {
                const zone = zoneOf(form) || 'UTC';
                const p = wallClock(Date.now(), zone);
                return new Date(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
            };
        }
    });
}
