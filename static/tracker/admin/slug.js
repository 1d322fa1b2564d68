/*
  A slug follows its title while staff leave it alone (tracker/staff/slugs.py):
  on every change of the title, typed or pasted. Clicking into a generated
  slug selects it, so typing replaces it; once staff type their own it stays
  theirs, and clearing it hands it back to the title. Slugs are made with the
  admin's own URLify; without this script the server makes them on save.
*/
'use strict';
{
    function follow(slug) {
        const sources = slug.dataset.slugFrom.split(' ')
            .map((id) => document.getElementById(id))
            .filter((source) => source !== null);
        const maxLength = parseInt(slug.getAttribute('maxlength'), 10) || 50;
        const generated = () => window.URLify(
            sources.map((source) => source.value).filter((value) => value !== '').join(' '),
            maxLength,
            false
        );
        let untouched = slug.value === '' || slug.value === generated();
        let keepSelection = false;

        for (const source of sources) {
            source.addEventListener('input', () => {
                if (untouched) {
                    slug.value = generated();
                }
            });
        }
        slug.addEventListener('input', () => {
            untouched = slug.value === '';
        });
        slug.addEventListener('focus', () => {
            if (untouched && slug.value !== '') {
                slug.select();
                keepSelection = true;
            }
        });
        slug.addEventListener('mouseup', (event) => {
            if (keepSelection) {
                event.preventDefault();  // the click would put the caret after the slug
                keepSelection = false;
            }
        });
        slug.addEventListener('blur', () => {
            keepSelection = false;
        });
    }

    function start() {
        document.querySelectorAll('input[data-slug-from]').forEach(follow);
    }

    if (document.readyState === 'loading') {
        document.addEventListener('DOMContentLoaded', start);
    } else {
        start();
    }
}
