/*
  Make the region lists searchable with the admin's own Select2: type "Sumy",
  "Сум" or "UA-59" to find the region. Without this script the lists still work,
  grouped by country (tracker/staff/regions.py).
*/
'use strict';
{
    const $ = django.jQuery;

    $(function() {
        $('select.region-select').select2({width: 'style', allowClear: false});
    });
}
