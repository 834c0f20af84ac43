// Test-only bundle: Enketo's own form renderer (enketo-core) and XForm transformer
// (enketo-transformer, web build) so that a browser test fills a Vigie-served XForm the way
// Enketo does and takes the instance XML Enketo would submit.
import { transform } from 'enketo-transformer/web';
import { Form } from 'enketo-core';

window.enketoRender = async (xform, container) => {
    const result = await transform({ xform });
    const root = document.querySelector(container);
    root.innerHTML = result.form;
    const formEl = root.querySelector('form.or');
    const form = new Form(formEl, { modelStr: result.model });
    const loadErrors = form.init();
    window.enketoForm = form;
    return { loadErrors, languages: result.languages || [] };
};

window.enketoData = () => {
    const form = window.enketoForm;
    return form.validate().then((valid) => ({ valid, xml: form.getDataStr(), instanceID: form.instanceID }));
};
