/*
  Make the time zone lists searchable with the admin's own Select2: type
  "Kyiv" or "Moscow" to find the zone. Without this script the list still
  works, grouped with the parties' zones first (tracker/staff/time_zones.py).
*/
'use strict';
{
    const $ = django.jQuery;

    $(function() {
        $('select.time-zone-choice').select2();
    });
}
