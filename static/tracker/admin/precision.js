/*
  The precision list follows the times typed, as the server will when the form
  is saved (tracker/staff/precision.py): a time of day makes it "minute" unless
  staff have chosen a precision themselves. Without this script the server
  applies the same rule.
*/
'use strict';
{
    const MIDNIGHT = /^0?0:00(:00)?$/;
    const WHOLE_HOUR = /^\d{1,2}:00(:00)?$/;

    function isFinerThan(time, precision) {
        if (precision === '' || precision === 'day') {
            return !MIDNIGHT.test(time);
        }
        if (precision === 'hour') {
            return !WHOLE_HOUR.test(time);
        }
        return false;
    }

    function follow(select) {
        const inputs = select.dataset.precisionTimes.split(' ')
            .map((id) => document.getElementById(id))
            .filter((input) => input !== null);
        const initial = select.value;
        let chosenByStaff = false;

        select.addEventListener('change', () => {
            chosenByStaff = true;
        });
        const update = () => {
            if (chosenByStaff) {
                return;
            }
            const typed = inputs.map((input) => input.value.trim()).filter((time) => time !== '');
            const finer = typed.some((time) => isFinerThan(time, initial));
            select.value = finer ? 'minute' : initial;
        };
        for (const input of inputs) {
            input.addEventListener('input', update);
            input.addEventListener('change', update);
        }
    }

    function start() {
        document.querySelectorAll('select[data-precision-times]').forEach(follow);
    }

    if (document.readyState === 'loading') {
        document.addEventListener('DOMContentLoaded', start);
    } else {
        start();
    }
}
